"""The form renderer: widgets through Jinja2 (Django ships Jinja2 templates for all of its
own), which renders them about twice as fast as the Django template engine; any template
only written for the Django engine (the admin's widget wrappers) through that engine."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FastWidgets(BaseRenderer):
    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
