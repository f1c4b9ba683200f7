from django.http import Http404


def lecture_detail(request, pk):
    raise Http404
