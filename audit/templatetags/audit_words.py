"""Audit entries in words on any page: ``{% load audit_words %}``, then
``{{ entry|action_label }}`` and ``{% for line in entry|change_lines %}``."""

from django import template

from audit import words

register = template.Library()


@register.filter
def action_label(entry) -> str:
    return words.action_label(entry.action)


@register.filter
def change_lines(entry) -> list[words.ChangeLine]:
    return words.change_lines(entry)
