from django.http import Http404


def case_detail(request, pk):
    raise Http404
