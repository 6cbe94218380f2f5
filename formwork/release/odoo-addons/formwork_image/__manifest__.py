{
    "name": "Formwork image digest",
    "summary": "/web/webclient/version_info names the image digest the server was started from",
    "version": "17.0.1.0.0",
    "license": "LGPL-3",
    "depends": ["web"],
    "installable": True,
}
