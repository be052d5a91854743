"""Out-of-court disposal scrutiny (victims-code.md section 6): what recording a disposal
captures, the grades a scrutiny panel gives a case and the criteria it judges it by.
Labels are looked up here by code; the database holds only codes."""

from shared.translation import lazy_gettext as _l

# Whether the offender admitted the offence, where the disposal needs an admission.
ADMISSIONS = {
    "yes": _l("Yes, an admission was made"),
    "no": _l("No admission was made"),
    "not_required": _l("Not required for this disposal"),
}

GRADES = {
    1: _l("1: appropriate and consistent with policy"),
    2: _l("2: appropriate, with observations"),
    3: _l("3: inappropriate"),
    4: _l("4: the panel cannot agree"),
}

CRITERIA = {
    "victim_views": _l("The victim’s views were sought and recorded"),
    "offender_history": _l("The offender’s history was checked"),
    "evidential_threshold": _l("The evidential threshold was met"),
    "admission": _l("An admission was made where required"),
    "proportionality": _l("The disposal was proportionate"),
    "sergeant_approval": _l("A sergeant approved the disposal"),
}

FINDINGS = {
    "met": _l("Met"),
    "not_met": _l("Not met"),
    "cannot_tell": _l("Cannot tell"),
}

# The stratum key of a scrutiny sample's frame: one stratum, every out-of-court disposal
# of the period.
SCRUTINY_STRATUM = "out_of_court"
