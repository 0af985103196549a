"""The council report's sections: one module a section, each a mixin class of ``report.content.Gatherer``
with the section's method(s); ``base`` holds the gatherer's state and the helpers the sections share."""
