"""API of this app: viewsets registered on the shared router in ``config/api_urls.py``."""

extra_urls: list = []


def register(router) -> None:
    pass
