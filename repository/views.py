from django.http import Http404


def publication_detail(request, pk):
    raise Http404
