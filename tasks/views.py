"""Console pages of jobs: the list, and a job's detail with its progress and log; while the job runs, the page
polls for the log lines after the last one it shows (htmx), and stops once the job has ended; cancel."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clusters.access.roles import OPERATE
from clusters.access.scope import get_scoped_or_404, require, scoped
from tasks.jobs import cancel
from tasks.models import ACTIVE_STATUSES as ACTIVE, Job


@login_required
def job_list(request):
    jobs = scoped(Job.objects.select_related("requested_by"), request.user).order_by("-created")
    status = request.GET.get("status", "")
    if status:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "tasks/job_list.html", {"page": page, "status": status,
                                                   "statuses": [s for s, _ in Job.STATUSES]})


@login_required
def job_detail(request, pk: int):
    job = get_scoped_or_404(Job.objects.select_related("requested_by"), request.user, pk=pk)
    lines = list(job.log_lines.order_by("seq"))
    return render(request, "tasks/job_detail.html", {"job": job, "lines": lines, "active": job.status in ACTIVE,
                                                     "after": lines[-1].seq if lines else 0})


@login_required
def job_log(request, pk: int):
    """The log lines after `after` and the job's progress, as fragments the detail page appends and swaps."""
    job = get_scoped_or_404(Job.objects.all(), request.user, pk=pk)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    lines = list(job.log_lines.filter(seq__gt=after).order_by("seq"))
    return render(request, "tasks/_job_log.html", {"job": job, "lines": lines, "active": job.status in ACTIVE,
                                                   "after": lines[-1].seq if lines else after})


@login_required
@require_POST
def job_cancel(request, pk: int):
    job = get_scoped_or_404(Job.objects.all(), request.user, pk=pk)
    require(request.user, OPERATE, job)
    cancel(job)
    return redirect("job-detail", pk=job.pk)
