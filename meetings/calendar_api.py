"""API of the calendar side (iTIP REPLY, feeds): registered on the shared router in ``config/api_urls.py``."""

extra_urls: list = []


def register(router) -> None:
    pass
