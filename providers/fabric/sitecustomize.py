"""
heaven's host key rule for Fabric 2, which accepts any host key (paramiko's
AutoAddPolicy) and never reads known_hosts.

heaven's fabric provider puts this directory first on PYTHONPATH, so Python
imports this module at start-up. It patches fabric.connection.Connection when
(and only if) that module is imported: before connecting, a Connection loads
the deployment's known hosts (DEPLOY_KNOWN_HOSTS_FILE, from heaven's
HEAVEN_KNOWN_HOSTS; else ~/.ssh/known_hosts) and refuses a host whose key is
missing or different, as OpenSSH's StrictHostKeyChecking=yes does. Then the
next sitecustomize on the path (the system's) runs as it would have.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

_KNOWN_HOSTS = os.environ.get("DEPLOY_KNOWN_HOSTS_FILE") or None
_SOURCE = "HEAVEN_KNOWN_HOSTS" if _KNOWN_HOSTS else "~/.ssh/known_hosts (set HEAVEN_KNOWN_HOSTS)"


def _host_key_rejected():
    from paramiko.ssh_exception import SSHException

    class HostKeyRejected(SSHException):
        """A host whose key known_hosts does not vouch for."""

    return HostKeyRejected


def _strict(connection_class):
    from paramiko.client import MissingHostKeyPolicy
    from paramiko.ssh_exception import BadHostKeyException

    rejected = _host_key_rejected()
    original_open = connection_class.open

    def where(connection):
        return connection.host if connection.port == 22 else "[{}]:{}".format(connection.host, connection.port)

    class RejectUnknown(MissingHostKeyPolicy):
        def __init__(self, connection):
            self.connection = connection

        def missing_host_key(self, client, hostname, key):
            raise rejected("{} is not in {}; add its host key there".format(where(self.connection), _SOURCE))

    def open(self):
        if not self.is_connected:
            if _KNOWN_HOSTS:
                self.client.load_host_keys(_KNOWN_HOSTS)
            else:
                self.client.load_system_host_keys()
            self.client.set_missing_host_key_policy(RejectUnknown(self))
        try:
            return original_open(self)
        except BadHostKeyException as error:
            raise rejected("host key of {} differs from {}; update it if the key changed on purpose".format(where(self), _SOURCE)) from error

    connection_class.open = open
    _say_rejections_plainly(rejected)


def _say_rejections_plainly(rejected):
    """The last line of the output is what the deployment status quotes: make it the fix, not a traceback."""
    previous = sys.excepthook

    def hook(kind, value, traceback):
        if isinstance(value, rejected):
            sys.stdout.flush()
            print("heaven: {}".format(value), file=sys.stderr)
        else:
            previous(kind, value, traceback)

    sys.excepthook = hook


class _PatchFabricConnection(importlib.abc.MetaPathFinder):
    """Finds fabric.connection the usual way and patches it right after it runs."""

    def find_spec(self, name, path, target=None):
        if name != "fabric.connection":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            _strict(module.Connection)

        spec.loader.exec_module = exec_module
        return spec


def _run_next_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


sys.meta_path.insert(0, _PatchFabricConnection())
_run_next_sitecustomize()
