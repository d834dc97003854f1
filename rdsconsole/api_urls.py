"""The /api/v1/ router: every app registers its viewsets here."""
from rest_framework.routers import DefaultRouter

from backups.api import views as backup_views
from clusters.access import api as access_views
from clusters.api import views as cluster_views
from tasks.api import views as task_views

router = DefaultRouter()
cluster_views.register(router)
task_views.register(router)
backup_views.register(router)
access_views.register(router)

urlpatterns = router.urls
