"""The Django admin, for superusers only (DESIGN §7).

MLOps admins do their work in the app's own pages, whose services record every change
with its source. Here answers, revisions, scores, rounds and their events, reminders,
emails and reports are read-only: there is no second, unrecorded write path.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from surveys import models
from surveys.core.errors import ApplicationError
from surveys.core.i18n import tr


class GuardedAdmin(admin.ModelAdmin):
    """Turns the product's rules (ApplicationError) into a message instead of a 500."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            super().save_model(request, obj, form, change)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            super().delete_model(request, obj)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def _superuser_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed: the app's services are the only writers of these rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "language")
    search_fields = ("user__username", "user__email")


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Product)
class ProductAdmin(GuardedAdmin):
    list_display = ("name", "slug", "department", "phase", "is_active", "archived_at")
    list_filter = ("phase", "is_active", "department")
    search_fields = ("name", "slug")
    filter_horizontal = ("members",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_en", "updated_at")
    search_fields = ("slug",)

    @admin.display(description="Title")
    def title_en(self, obj: models.Guideline) -> str:
        return tr(obj.title, "en")


@admin.register(models.Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("key",)


class ItemInline(admin.TabularInline):
    model = models.Item
    fields = ("position", "code", "key", "area", "guideline", "na")
    extra = 0
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(obj is None or not obj.is_published)

    has_add_permission = has_delete_permission = has_change_permission  # type: ignore[assignment]


@admin.register(models.QuestionnaireVersion)
class QuestionnaireVersionAdmin(GuardedAdmin):
    list_display = ("__str__", "status", "na_policy", "max_na_per_area", "published_at")
    list_filter = ("status", "questionnaire")
    inlines = [ItemInline]
    readonly_fields = ("content_hash", "published_at", "copied_from")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_published:
            return [f.name for f in obj._meta.fields if f.name != "archived_at"]
        return self.readonly_fields


@admin.register(models.Area)
class AreaAdmin(GuardedAdmin):
    list_display = ("key", "version", "position")
    list_filter = ("version",)


@admin.register(models.Item)
class ItemAdmin(GuardedAdmin):
    list_display = ("code", "key", "version", "area", "guideline")
    list_filter = ("version",)
    search_fields = ("key", "code")


class RoundEventInline(ReadOnlyInline):
    model = models.RoundEvent
    fields = ("kind", "by", "at", "source", "details")


@admin.register(models.Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("label", "questionnaire", "version", "status", "opens_on", "closes_on")
    list_filter = ("status", "questionnaire")
    search_fields = ("label",)
    inlines = [RoundEventInline]


@admin.register(models.RoundEvent)
class RoundEventAdmin(ReadOnlyAdmin):
    list_display = ("round", "kind", "by", "at", "source")
    list_filter = ("kind", "source")


@admin.register(models.RoundReminder)
class RoundReminderAdmin(ReadOnlyAdmin):
    list_display = ("round", "days_before", "sent_at", "recipients")


@admin.register(models.RoundMail)
class RoundMailAdmin(ReadOnlyAdmin):
    list_display = ("event", "template", "mailed_at", "posted_at", "recipients")


@admin.register(models.RoundReport)
class RoundReportAdmin(ReadOnlyAdmin):
    list_display = ("round", "built_at")


class AreaScoreInline(ReadOnlyInline):
    model = models.AreaScore
    fields = ("area_key", "n", "applicable", "raw", "score", "verified_score")


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("product", "round", "status", "final_score", "verified_score", "band")
    list_filter = ("status", "round", "is_regression", "score_source")
    search_fields = ("product__slug", "product__name")
    inlines = [AreaScoreInline]


@admin.register(models.AreaScore)
class AreaScoreAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "area_key", "score", "verified_score")


@admin.register(models.Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "item", "value", "updated_at", "updated_by")
    list_filter = ("value",)
    search_fields = ("assessment__product__slug", "item__key")


@admin.register(models.AnswerRevision)
class AnswerRevisionAdmin(ReadOnlyAdmin):
    list_display = ("answer", "old_value", "new_value", "by", "at", "source")
    list_filter = ("source",)


@admin.register(models.Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("product", "item_key", "outcome", "observed_at", "run_id")
    list_filter = ("outcome",)
    search_fields = ("product__slug", "item_key", "run_id")


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("product", "name", "prefix", "created_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
    list_filter = ("revoked_at",)
