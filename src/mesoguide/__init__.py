"""mesoguide: a treatment-candidacy questionnaire driven by YAML rule packs."""

__version__ = "0.1.0"
