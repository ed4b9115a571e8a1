"""HTTP routes beside the Reflex event socket, mounted through ``rx.App(api_transformer=...)``."""
