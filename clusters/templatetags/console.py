"""Template filters of the console: `errors|field:"name"` picks one field's messages out of an errors mapping, so
a form shows them next to that field."""
from django import template

register = template.Library()


@register.filter
def field(errors, name: str) -> list:
    return (errors or {}).get(name, [])
