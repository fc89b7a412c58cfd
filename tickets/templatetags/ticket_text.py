"""Template filters for ticket text: `message_html` for a message body, `ago` for a time."""

from django import template

from tickets.rendering import message_html, time_ago

register = template.Library()
register.filter("message_html", message_html, is_safe=True)


@register.filter
def ago(value):
    """ "just now", "5 minutes ago": when something last happened, for customers."""
    return time_ago(value)
