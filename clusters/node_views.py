"""Console pages of nodes: the list with facts and reachability, adding a node (with its SSH credential, the
model's rules shown next to each field), and checking one (reach it over SSH and record its facts)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clusters.access.roles import CHANGE, OPERATE
from clusters.access.scope import get_scoped_or_404, require, require_somewhere, scoped
from clusters.models import Credential, Deployment, Node
from tasks.node_check import check_node


class NodeForm(forms.ModelForm):
    """Offers the deployments where the user may add nodes, and the credentials they may use."""

    class Meta:
        model = Node
        fields = ["deployment", "ip", "hostname", "ssh_port", "ssh_user", "credential"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment"].queryset = scoped(Deployment.objects.all(), user, CHANGE)
        self.fields["credential"].queryset = scoped(Credential.objects.all(), user, CHANGE)


@login_required
def node_list(request):
    nodes = scoped(Node.objects.select_related("deployment", "credential"), request.user) \
        .prefetch_related("pg_instances__cluster").order_by("deployment__name", "ip")
    if request.method == "POST":
        require_somewhere(request.user, CHANGE)
    form = NodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("node-list")
    return render(request, "clusters/node_list.html", {"nodes": nodes, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def node_check(request, pk: int):
    node = get_scoped_or_404(Node.objects.all(), request.user, pk=pk)
    require(request.user, OPERATE, node)
    check_node(node)
    return redirect("node-list")
