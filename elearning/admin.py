"""Admin pieces every app may use."""


class ReadOnlyAdminMixin:
    """An audit trail is read, never written, in the admin: no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
