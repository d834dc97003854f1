"""The console's landing page (the full console is built by the web console issue)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from clusters.models import Deployment, Node, PGCluster


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {
        "deployments": Deployment.objects.all(),
        "node_count": Node.objects.count(),
        "clusters": PGCluster.objects.select_related("deployment"),
    })
