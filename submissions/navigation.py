"""Menu entries and home-page cards of this app (see elearning/navigation.py)."""


def nav_items(user, scope):
    return []


def home_cards(user, scope):
    return []
