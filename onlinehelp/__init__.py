"""Online help (GCS art. 7 binds use of the service to "the online help texts"; SPEC R30): `/help/` on
tenant hosts, one part per role (learner, instructor, administrator), in French and English, a section for
every page; each page links to its own section (`help_link`, chosen by the page's URL name)."""
