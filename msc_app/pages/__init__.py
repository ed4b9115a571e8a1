"""One route per module, each registered through ``pages.shell.app_page``."""
