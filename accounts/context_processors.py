from elearning import navigation as nav_registry
from elearning.context_processors import draws_fragment

from .rules import scope_for


def navigation(request):
    """The menu entries the signed-in user can use; templates only draw them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or draws_fragment(request):
        return {"nav_items": [], "nav_menu": [], "nav_personal": []}
    scope = scope_for(user)
    items = nav_registry.nav_items(user, scope)
    return {
        "nav_items": items,
        "nav_menu": nav_registry.menu(items),
        "nav_personal": nav_registry.personal_items(items),
        "user_roles": scope.roles,
    }
