"""Who sees what (DESIGN.md section 3), as `rules` predicates each beside its queryset twin.

Every predicate here has a `*_visible_q` / `*_q` function that builds the same condition as a
database filter; `tests/accounts/test_rules.py` walks every role and scope and asserts that
the two agree. A user's reach is computed once per request into a `Scope`.

- `unit_paths`: subtrees whose work the user oversees (department head → department,
  principal and vice principal → school, cluster head → cluster, district officer → district).
- `subject_ids`: subjects a city specialist follows city-wide.
- `home_paths`: units the user works in; their ancestors' libraries are visible to them.
- `admin_paths`: subtrees whose accounts the user manages (school admin → school, district
  officer → district; a city leader manages everything).
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import BooleanField, CharField, IntegerField, JSONField, Q, Value

from .models import PanelMembership, RoleAssignment, Unit, User

Role = RoleAssignment.Role

OVERSIGHT_ROLES = {
    Role.DEPARTMENT_HEAD,
    Role.PRINCIPAL,
    Role.VICE_PRINCIPAL,
    Role.CLUSTER_HEAD,
    Role.DISTRICT_OFFICER,
}
ADMIN_ROLES = {Role.SCHOOL_ADMIN, Role.DISTRICT_OFFICER}


@dataclass(frozen=True)
class Assignment:
    """One of the user's roles as the home page names it (read with the scope, no other query)."""

    role: str
    unit_name: str
    unit_kind: str
    unit_path: str
    parent_name: str | None = None
    subject_name: str | None = None
    school_level: str = ""  # the role's own level, if it names one
    unit_levels: tuple[str, ...] = ()

    def get_role_display(self) -> str:
        return dict(Role.choices).get(self.role, self.role)


@dataclass(frozen=True)
class Membership:
    """One of the user's panels as the home page names it."""

    panel_id: int
    panel_name: str
    unit_name: str
    is_chair: bool
    school_level: str = ""


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    everything: bool = False
    unit_paths: tuple[str, ...] = ()
    subject_ids: tuple[int, ...] = ()
    home_paths: tuple[str, ...] = ()
    admin_paths: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    # The units and panels the user reviews for (reviews.rules.review_roles reads these).
    head_of: frozenset[int] = frozenset()  # department ids
    leads: frozenset[int] = frozenset()  # school ids (principal, vice principal)
    cluster_head_of: frozenset[int] = frozenset()
    officer_of: frozenset[int] = frozenset()  # district ids
    officer_paths: tuple[str, ...] = ()  # the paths of officer_of
    chairs: frozenset[int] = frozenset()  # panel ids
    member_of: frozenset[int] = frozenset()  # panel ids, chairs included
    # What the home page lists: every role (inactive units too), ordered by the unit's path, and
    # every panel, the chairs first.
    assignments: tuple[Assignment, ...] = ()
    memberships: tuple[Membership, ...] = ()

    def oversees_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.unit_paths)

    def administers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.admin_paths)


ANONYMOUS_SCOPE = Scope(user_id=None)


# Review roles by the unit they review for (Scope.head_of, leads, cluster_head_of, officer_of).
REVIEW_ROLE_FIELDS = {
    Role.DEPARTMENT_HEAD: "head_of",
    Role.PRINCIPAL: "leads",
    Role.VICE_PRINCIPAL: "leads",
    Role.CLUSTER_HEAD: "cluster_head_of",
    Role.DISTRICT_OFFICER: "officer_of",
}


def _roles_and_panels(user):
    """The user's roles and panel memberships in one query (a UNION of the two tables), each row
    (role, unit id, unit path, subject id, unit active, unit name, unit kind, parent name,
    subject name, panel id, panel name, is chair, school level, unit levels); a panel's row has
    role "" and its unit's, and the panel's school level."""
    none_int, none_str = Value(None, output_field=IntegerField()), Value(None, output_field=CharField())
    roles = RoleAssignment.objects.filter(user=user).values_list(
        "role",
        "unit_id",
        "unit__path",
        "subject_id",
        "unit__is_active",
        "unit__name",
        "unit__kind",
        "unit__parent__name",
        "subject__name",
        none_int,
        none_str,
        Value(False, output_field=BooleanField()),
        "school_level",
        "unit__levels",
    )
    panels = PanelMembership.objects.filter(user=user).values_list(
        Value("", output_field=CharField()),
        "panel__unit_id",
        "panel__unit__path",
        none_int,
        "panel__unit__is_active",
        "panel__unit__name",
        "panel__unit__kind",
        none_str,
        none_str,
        "panel_id",
        "panel__name",
        "is_chair",
        "panel__school_level",
        Value(None, output_field=JSONField()),
    )
    return roles.union(panels, all=True)


def scope_for(user) -> Scope:
    """The user's reach, computed once per request (one query: roles and panel memberships) and
    cached on the user object; every app's rules, the menu and the home cards read this one."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    everything = user.is_superuser
    unit_paths, subject_ids, home_paths, admin_paths, roles = set(), set(), set(), set(), set()
    reviews: dict[str, set[int]] = {name: set() for name in set(REVIEW_ROLE_FIELDS.values())}
    chairs, members, officer_paths = set(), set(), set()
    assignments, memberships = [], []
    for row in _roles_and_panels(user):
        role, unit_id, path, subject_id, active, unit_name, kind, parent_name, subject_name = row[:9]
        panel_id, panel_name, is_chair, school_level, unit_levels = row[9:]
        if panel_id is not None:
            memberships.append(Membership(panel_id, panel_name, unit_name, bool(is_chair), school_level))
            home_paths.add(path)
            members.add(panel_id)
            roles.add("panel_member")
            if is_chair:
                chairs.add(panel_id)
                roles.add("panel_chair")
            continue
        assignments.append(
            Assignment(
                role, unit_name, kind, path, parent_name, subject_name, school_level, tuple(unit_levels or ())
            )
        )
        if not active:
            continue
        roles.add(role)
        home_paths.add(path)
        if role == Role.CITY_LEADER:
            everything = True
        if role in OVERSIGHT_ROLES:
            unit_paths.add(path)
        if role in ADMIN_ROLES:
            admin_paths.add(path)
        if role == Role.CITY_SPECIALIST and subject_id:
            subject_ids.add(subject_id)
        if role in REVIEW_ROLE_FIELDS:
            reviews[REVIEW_ROLE_FIELDS[role]].add(unit_id)
        if role == Role.DISTRICT_OFFICER:
            officer_paths.add(path)
    scope = Scope(
        user_id=user.pk,
        everything=everything,
        unit_paths=tuple(sorted(unit_paths)),
        subject_ids=tuple(sorted(subject_ids)),
        home_paths=tuple(sorted(home_paths)),
        admin_paths=tuple(sorted(admin_paths)),
        roles=frozenset(roles),
        chairs=frozenset(chairs),
        member_of=frozenset(members),
        officer_paths=tuple(sorted(officer_paths)),
        assignments=tuple(sorted(assignments, key=lambda a: a.unit_path)),
        memberships=tuple(sorted(memberships, key=lambda m: (not m.is_chair, m.panel_name))),
        **{name: frozenset(ids) for name, ids in reviews.items()},
    )
    user._scope_cache = scope
    return scope


def _paths_q(field: str, paths) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


# --- Work: lectures, records, anything with an author, a unit and a subject -----------------


def work_visible_q(
    user, *, author: str = "author", unit_path: str = "department__path", subject: str = "subject"
) -> Q:
    """Filter twin of `can_view_work`: the author's own work, the subtrees the user oversees,
    and city-wide the subjects a specialist follows."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    q = Q(**{f"{author}_id": scope.user_id}) | _paths_q(unit_path, scope.unit_paths)
    if scope.subject_ids:
        q |= Q(**{f"{subject}_id__in": scope.subject_ids})
    return q


def work_visible_by_unit_q(
    user,
    *,
    author: str = "author",
    unit: str = "department",
    subject: str = "subject",
    own: bool = True,
) -> Q:
    """`work_visible_q` on the work's own columns: the units under the subtrees the user oversees
    are read in a subquery of the (small) units table, so that the filter needs no join from every
    row to its unit and the unit and subject indexes of the work's table serve it. `own=False`
    drops the "the user's own work" clause, for a list that excludes the user's work anyway (own
    work reached through a unit or subject still matches): the filter is then one semi-join on
    the unit index rather than an OR the planner scans the table for."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q() if own else ~Q(**{f"{author}_id": scope.user_id})
    q = Q(pk__in=[])
    if own:
        q |= Q(**{f"{author}_id": scope.user_id})
    if scope.unit_paths:
        units = Unit.objects.filter(_paths_q("path", scope.unit_paths)).values("pk")
        q |= Q(**{f"{unit}_id__in": units})
    if scope.subject_ids:
        q |= Q(**{f"{subject}_id__in": scope.subject_ids})
    return q


def can_view_work(user, *, author_id: int | None, unit_path: str, subject_id: int | None) -> bool:
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    return (
        scope.everything
        or author_id == scope.user_id
        or scope.oversees_path(unit_path)
        or (subject_id is not None and subject_id in scope.subject_ids)
    )


# --- Units ----------------------------------------------------------------------------------


def unit_visible_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_view_unit`: the units a user oversees or administers and what is
    below them, and the units the user works in with everything above them."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    field = f"{prefix}path"
    q = _paths_q(field, scope.unit_paths + scope.admin_paths)
    ancestor_ids = {int(i) for path in scope.home_paths for i in path.strip("/").split("/") if i}
    q |= Q(**{f"{prefix}pk__in": sorted(ancestor_ids)})
    return q


@rules.predicate
def can_view_unit(user, unit: Unit) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or unit is None:
        return False
    if scope.everything or scope.oversees_path(unit.path) or scope.administers_path(unit.path):
        return True
    return any(home.startswith(unit.path) for home in scope.home_paths)


# --- People ---------------------------------------------------------------------------------


def user_visible_q(viewer) -> Q:
    """Filter twin of `can_view_user`: oneself, people with a role in a unit the viewer oversees
    or administers, and for a city specialist the people assigned to their subject."""
    scope = scope_for(viewer)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    role_q = _paths_q("unit__path", scope.unit_paths + scope.admin_paths)
    if scope.subject_ids:
        role_q |= Q(subject_id__in=scope.subject_ids)
    return Q(pk=scope.user_id) | Q(pk__in=RoleAssignment.objects.filter(role_q).values("user_id"))


@rules.predicate
def can_view_user(viewer, target: User) -> bool:
    scope = scope_for(viewer)
    if scope.user_id is None or target is None:
        return False
    if scope.everything or target.pk == scope.user_id:
        return True
    for path, subject_id in target.roles.values_list("unit__path", "subject_id"):
        if scope.oversees_path(path) or scope.administers_path(path):
            return True
        if subject_id is not None and subject_id in scope.subject_ids:
            return True
    return False


def account_manageable_q(viewer) -> Q:
    """Filter twin of `can_manage_account`: accounts whose every role lies inside a subtree the
    viewer administers (never the viewer's own account, never a superuser)."""
    scope = scope_for(viewer)
    if scope.user_id is None:
        return Q(pk__in=[])
    base = ~Q(pk=scope.user_id) & Q(is_superuser=False)
    if scope.everything:
        return base
    if not scope.admin_paths:
        return Q(pk__in=[])
    inside = _paths_q("unit__path", scope.admin_paths)
    return (
        base
        & Q(pk__in=RoleAssignment.objects.filter(inside).values("user_id"))
        & ~Q(pk__in=RoleAssignment.objects.exclude(inside).values("user_id"))
    )


@rules.predicate
def can_manage_account(viewer, target: User) -> bool:
    scope = scope_for(viewer)
    if scope.user_id is None or target is None or target.pk == scope.user_id or target.is_superuser:
        return False
    if scope.everything:
        return True
    paths = list(target.roles.values_list("unit__path", flat=True))
    return bool(paths) and all(scope.administers_path(p) for p in paths)


@rules.predicate
def can_import_accounts(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.admin_paths)


rules.add_perm("accounts.view_user", can_view_user)
rules.add_perm("accounts.manage_account", can_manage_account)
rules.add_perm("accounts.view_unit", can_view_unit)
rules.add_perm("accounts.import_accounts", can_import_accounts)
