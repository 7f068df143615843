"""tresor: read configuration files whose values are sealed with tresor.

    import tresor
    cfg = tresor.ConfigParser()          # configparser's reading interface
    cfg.read("secrets-prod.ini")         # unsealed in memory, never on disk
    cfg.read_file(f); cfg.read_string(s) # the same for text already read
    cfg.get("db", "password")

    settings = tresor.load("service.yaml")   # any format, as nested dicts

Keys come from identity_files=[...], or key="NAME" (a keyring key), or the
discovery order of docs/agent.md ($TRESOR_IDENTITY, $TRESOR_IDENTITY_FILE,
the agent, the keyring); the package never prompts;
$secret{alias}, $env{VAR}, $sys{prop} (properties={...}), $file{path} and
$store{path#field} references are resolved before configparser sees the
text. $store reads from the server address= (several nodes: comma
separated) with token= and ca_cert=, by default what the tresor CLI uses
($TRESOR_ADDR, $TRESOR_TOKEN or $TRESOR_TOKEN_FILE or ~/.tresor-token,
$TRESOR_CACERT); the server is asked only when a value names it.
"""
import configparser
import io
import os

from . import _tresor

__all__ = ["ConfigParser", "Error", "load"]

# What a sealed file holds (its header entry): text without it is read as is.
_HEADER = "tresor-header:"



class Error(Exception):
    """A tresor error: .code is the tresor CLI's exit code for it."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _options(identity_files, key, secrets, properties, address=None, token=None, ca_cert=None):
    return ([os.fspath(f) for f in identity_files or []], key or "", os.fspath(secrets or ""),
            dict(properties or {}), (address or "", token or "", os.fspath(ca_cert or "")))


class ConfigParser(configparser.ConfigParser):
    """configparser.ConfigParser that reads sealed INI files (DEFAULT section,
    interpolation, getint/getfloat/getboolean, fallback= all as configparser)."""

    def __init__(self, *args, identity_files=None, key=None, secrets=None, properties=None,
                 address=None, token=None, ca_cert=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._tresor = _options(identity_files, key, secrets, properties, address, token, ca_cert)

    def read(self, filenames, encoding=None):
        if isinstance(filenames, (str, bytes, os.PathLike)):
            filenames = [filenames]
        read_ok = []
        for filename in filenames:
            path = os.fsdecode(filename)
            if not os.path.exists(path):  # as configparser: missing files are skipped
                continue
            super().read_file(io.StringIO(_tresor.render(path, *self._tresor)), source=path)
            read_ok.append(path)
        return read_ok

    def read_file(self, f, source=None):
        """As configparser's, with sealed values opened (read_string comes
        through here too)."""
        text = "".join(f)
        if source is None:
            source = getattr(f, "name", "<???>")
        if _HEADER in text:
            text = _tresor.render_text(text, os.fsdecode(source), *self._tresor)
        super().read_file(io.StringIO(text), source=source)


def _typed(value, kind):
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() in ("true", "yes", "on", "1")
    if kind == "number":
        try:
            return int(value, 0) if value.lstrip("+-")[:2].lower() in ("0x", "0o") else int(value)
        except ValueError:
            return float(value)
    return value


def load(path, identity_files=None, key=None, secrets=None, properties=None, address=None,
         token=None, ca_cert=None):
    """Any supported format (INI, dotenv, JSON, TOML, YAML) as nested dicts
    and lists, sealed values opened and references resolved."""
    root = {}
    for keys, value, kind in _tresor.entries(os.fspath(path),
                                              *_options(identity_files, key, secrets, properties,
                                                        address, token, ca_cert)):
        node = root
        for key, following in zip(keys, keys[1:]):
            child = [] if isinstance(following, int) else {}
            if isinstance(node, list):
                while len(node) <= key:
                    node.append(None)
                if node[key] is None:
                    node[key] = child
                node = node[key]
            else:
                node = node.setdefault(key, child)
        last = keys[-1]
        if isinstance(node, list):
            while len(node) <= last:
                node.append(None)
            node[last] = _typed(value, kind)
        else:
            node[last] = _typed(value, kind)
    return root
