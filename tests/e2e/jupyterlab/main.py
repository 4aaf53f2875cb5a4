"""Serves the JupyterLab 3.6 front end built here (build/, by webpack) with
Debian's jupyter_server and jupyterlab_server, for gossl's browser tests:

    /usr/bin/python3 main.py --ServerApp.ip=127.0.0.1 --ServerApp.port=PORT \\
        --ServerApp.token=TOKEN --ServerApp.root_dir=DIR

The page is JupyterLab's own application (notebook, completer, inspector,
tooltip, rendermime) without the extension manager or terminals. Nothing
is fetched from the internet: the news and update checks are off
(app_settings/overrides.json) and MathJax comes from Debian's libjs-mathjax
when it is installed."""
import json
import os

from jupyter_server.base.handlers import APIHandler
from jupyterlab_server import LabServerApp
from tornado import web
from tornado.web import StaticFileHandler

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
DEBIAN_MATHJAX = "/usr/share/javascript/mathjax"

# Configuration files of the machine's own Jupyter must not change the page
# under test.
os.environ["JUPYTER_NO_CONFIG"] = "1"

with open(os.path.join(HERE, "package.json")) as f:
    VERSION = json.load(f)["version"]


class IdentityHandler(APIHandler):
    """/api/me, which Lab 3.6's front end asks for (jupyter_server 2 serves
    it; Debian's 1.23 answers 404): one anonymous local user."""

    @web.authenticated
    def get(self):
        self.finish(json.dumps({
            "identity": {"username": "gossl", "name": "gossl", "display_name": "gossl",
                         "initials": "G", "avatar_url": None, "color": None},
            "permissions": {},
        }))


class GosslLabApp(LabServerApp):
    name = "gossl_lab"
    app_name = "JupyterLab (gossl tests)"
    app_version = VERSION
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_settings_dir = os.path.join(HERE, "app_settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    # Settings and workspaces the page writes go to a scratch folder, given
    # by the test (--GosslLabApp.user_settings_dir=…, workspaces_dir=…).
    user_settings_dir = os.path.join(BUILD, "user_settings")
    workspaces_dir = os.path.join(BUILD, "workspaces")

    def initialize_handlers(self):
        super().initialize_handlers()
        self.handlers.append(("/api/me", IdentityHandler))
        if os.path.isdir(DEBIAN_MATHJAX):
            self.handlers.append(("/gossl-mathjax/(.*)", StaticFileHandler, {"path": DEBIAN_MATHJAX}))

    def initialize_settings(self):
        super().initialize_settings()
        settings = self.serverapp.web_app.settings
        settings["terminals_available"] = False
        if os.path.isdir(DEBIAN_MATHJAX):
            base = settings.get("base_url", "/")
            settings["mathjax_url"] = base.rstrip("/") + "/gossl-mathjax/MathJax.js"


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": GosslLabApp}]


if __name__ == "__main__":
    GosslLabApp.launch_instance()
