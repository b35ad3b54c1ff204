"""The site's identity: the folder ``fedtune certs issue SITE`` writes (cert.pem, key.pem, ca.pem),
checked before any connection as the Swift site checks it, and its TLS 1.3 context.

Checks (Sources/FedTLS/Identity+Role.swift, PKIFolder.swift, SiteName.swift): key.pem grants
its group and others no permission; cert.pem is within its validity, has ExtendedKeyUsage
clientAuth and one commonName of 1–64 characters from ``A-Z a-z 0-9 . _ -`` (the site's
name, which the coordinator reads from the certificate). The context trusts only ca.pem,
speaks TLS 1.3 only and verifies the coordinator's certificate and host name.
"""

import base64
import datetime
import os
import re
import ssl
import stat

from .errors import IdentityError

_CLIENT_AUTH = bytes.fromhex("2b06010505070302")  # 1.3.6.1.5.5.7.3.2
_EXTENDED_KEY_USAGE = bytes.fromhex("551d25")  # 2.5.29.37
_COMMON_NAME = bytes.fromhex("550403")  # 2.5.4.3
_SITE_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Identity:
    """A site's identity folder: ``cert``, ``key`` and ``ca`` paths and the site ``name``."""

    def __init__(self, folder):
        self.folder = folder
        self.cert = os.path.join(folder, "cert.pem")
        self.key = os.path.join(folder, "key.pem")
        self.ca = os.path.join(folder, "ca.pem")
        for path in (self.cert, self.key, self.ca):
            if not os.path.isfile(path):
                raise IdentityError(
                    f"{path} does not exist ---> HINT: give --identity the folder `fedtune certs issue SITE` made "
                    "(it holds cert.pem, key.pem and ca.pem)"
                )
        self.name = None

    def check(self, now=None):
        """Checks the key's mode and the certificate's validity, clientAuth and name; returns the name."""
        mode = stat.S_IMODE(os.stat(self.key).st_mode)
        if mode & 0o077:
            raise IdentityError(
                f"{self.key} may be read by others (mode {mode:o}), so the key cannot be trusted to be this "
                f"identity's alone. ---> HINT: run `chmod 600 {self.key}` (fedtune writes keys that way)"
            )
        certificate = _read_der(self.cert)
        not_before, not_after, common_names, usages = _inspect(certificate, self.cert)
        now = now or datetime.datetime.now(datetime.timezone.utc)
        if now > not_after:
            raise IdentityError(f"{self.cert} cannot be used: it expired on {not_after:%Y-%m-%d %H:%M:%S} UTC")
        if now < not_before:
            raise IdentityError(f"{self.cert} cannot be used: it is not valid before {not_before:%Y-%m-%d %H:%M:%S} UTC")
        if not usages or _CLIENT_AUTH not in usages:
            raise IdentityError(
                f"{self.cert} cannot be used: it is not a site certificate (it lacks clientAuth); is this the "
                "coordinator's folder? Give --identity the folder made by `fedtune certs issue SITE`"
            )
        if len(common_names) != 1 or not _SITE_NAME.fullmatch(common_names[0]) or common_names[0] in (".", ".."):
            raise IdentityError(
                f"{self.cert} cannot be used: a site certificate holds exactly one commonName of 1-64 characters "
                f"from A-Z a-z 0-9 . _ - (found {common_names})"
            )
        self.name = common_names[0]
        return self.name

    def context(self):
        """The TLS 1.3 client context: this site's certificate, only the federation CA trusted."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        try:
            context.load_verify_locations(cafile=self.ca)
            context.load_cert_chain(self.cert, self.key)
        except (ssl.SSLError, OSError) as error:
            raise IdentityError(f"the identity in {self.folder} cannot be loaded for TLS: {error}") from None
        return context


def _read_der(path):
    with open(path, encoding="ascii", errors="replace") as handle:
        text = handle.read()
    match = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    if not match:
        raise IdentityError(f"{path} holds no PEM certificate")
    try:
        return base64.b64decode("".join(match.group(1).split()))
    except ValueError:
        raise IdentityError(f"{path} holds a certificate that is not base64") from None


def _element(data, offset):
    """(tag, start of content, end of content) of the DER element at ``offset``."""
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    return tag, start, start + length


def _children(data, start, end):
    while start < end:
        tag, content, stop = _element(data, start)
        yield tag, content, stop
        start = stop


def _inspect(der, path):
    """(notBefore, notAfter, subject commonNames, ExtendedKeyUsage OIDs or None) of a DER certificate."""
    try:
        _, cert_start, cert_end = _element(der, 0)
        _, tbs_start, tbs_end = _element(der, cert_start)
        fields = list(_children(der, tbs_start, tbs_end))
        if fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        validity, subject = fields[3], fields[4]
        times = [_time(der[s:e], tag) for tag, s, e in _children(der, validity[1], validity[2])]
        common_names = []
        for _, set_start, set_end in _children(der, subject[1], subject[2]):
            for _, pair_start, pair_end in _children(der, set_start, set_end):
                (_, oid_s, oid_e), (_, value_s, value_e) = list(_children(der, pair_start, pair_end))[:2]
                if der[oid_s:oid_e] == _COMMON_NAME:
                    common_names.append(der[value_s:value_e].decode("utf-8", "replace"))
        usages = None
        for tag, s, e in fields[6:]:
            if tag != 0xA3:
                continue
            _, list_start, list_end = _element(der, s)
            for _, ext_start, ext_end in _children(der, list_start, list_end):
                parts = list(_children(der, ext_start, ext_end))
                if der[parts[0][1] : parts[0][2]] != _EXTENDED_KEY_USAGE:
                    continue
                _, value_s, value_e = parts[-1]
                _, seq_s, seq_e = _element(der, value_s)
                usages = [der[a:b] for _, a, b in _children(der, seq_s, seq_e)]
        return times[0], times[1], common_names, usages
    except (IndexError, ValueError):
        raise IdentityError(f"{path} is not a certificate this site can read") from None


def _time(raw, tag):
    text = raw.decode("ascii")
    # UTCTime (0x17): YYMMDDHHMMSSZ; GeneralizedTime (0x18): YYYYMMDDHHMMSSZ
    if tag == 0x17:
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
