from governance.permissions import is_secretariat


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"is_secretariat": is_secretariat(user) if user is not None else False}
