"""Console pages of nodes: the list with facts and reachability, adding a node (with its SSH credential, the
model's rules shown next to each field), and checking one (reach it over SSH and record its facts)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clusters.models import Node
from tasks.node_check import check_node


class NodeForm(forms.ModelForm):
    class Meta:
        model = Node
        fields = ["deployment", "ip", "hostname", "ssh_port", "ssh_user", "credential"]


@login_required
def node_list(request):
    nodes = Node.objects.select_related("deployment", "credential").prefetch_related("pg_instances__cluster") \
        .order_by("deployment__name", "ip")
    form = NodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("node-list")
    return render(request, "clusters/node_list.html", {"nodes": nodes, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def node_check(request, pk: int):
    check_node(get_object_or_404(Node, pk=pk))
    return redirect("node-list")
