from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from governance.models import Body


@login_required
def timeline(request, acronym: str):
    body = get_object_or_404(Body, acronym=acronym)
    return render(request, "chairmanship/timeline.html", {"body": body})
