from .permissions import membership_of


def membership(request):
    """The signed-in user's role and place, for the navigation bar."""
    return {"membership": membership_of(request.user)}
