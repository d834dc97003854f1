"""URL map: admin, REST API v1, OpenAPI schema and docs, the web console."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backups import views as backup_views
from clusters import audit_views, console_actions, node_views, views as cluster_views, wizard_views
from clusters.access import console as access_views
from rdsconsole import console, views
from tasks import views as task_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("rdsconsole.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("deployment/", console.switch_deployment, name="switch-deployment"),
    path("clusters/", cluster_views.cluster_list, name="cluster-list"),
    path("clusters/new/", wizard_views.cluster_new, name="cluster-new"),
    path("clusters/<int:pk>/", cluster_views.cluster_detail, name="cluster-detail"),
    path("clusters/<int:pk>/members/", cluster_views.cluster_members, name="cluster-members"),
    path("clusters/<int:pk>/do/<slug:action>/", console_actions.cluster_action, name="cluster-action"),
    path("restores/", backup_views.restore_list, name="restore-list"),
    path("restores/new/", backup_views.restore_new, name="restore-new"),
    path("restores/<int:pk>/retry/", backup_views.restore_retry, name="restore-retry"),
    path("restores/<int:pk>/<slug:decision>/", backup_views.restore_decide, name="restore-decide"),
    path("audit/", audit_views.audit, name="audit"),
    path("nodes/", node_views.node_list, name="node-list"),
    path("nodes/<int:pk>/check/", node_views.node_check, name="node-check"),
    path("jobs/", task_views.job_list, name="job-list"),
    path("jobs/<int:pk>/", task_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/log/", task_views.job_log, name="job-log"),
    path("jobs/<int:pk>/cancel/", task_views.job_cancel, name="job-cancel"),
    path("tokens/", access_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", access_views.token_revoke, name="token-revoke"),
    path("members/", access_views.members, name="members"),
    path("members/<int:pk>/remove/", access_views.member_remove, name="member-remove"),
]
