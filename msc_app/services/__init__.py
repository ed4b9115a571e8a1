"""Every query and every write, as plain functions ``(*, session, actor, ...)``.

No Reflex here: services are tested without a browser and reused by the REST API.
"""
