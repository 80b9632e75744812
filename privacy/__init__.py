"""Personal data within limits (SPEC R29; GCS art. 5, terms of use §6, Solerni §13): the platform's legal notice,
privacy notice and sub-processors list (platform host, from settings), each organisation's own privacy notice
(tenant host, edited by its administrators), linked from every footer."""
