"""STS behaviour that moto 5.2.1 lacks but the action's error handling is tested against.

moto accepts any AssumeRoleWithWebIdentity call and never checks a SigV4 signature. Real STS
does both, so this module (a) patches moto's STS response handler to evaluate the JWT against the
IAM OIDC provider and the role's trust policy, and (b) verifies a presigned GetCallerIdentity URL
(an EKS token) the way STS would, then asks moto who the caller is.
"""

import base64
import binascii
import fnmatch
import hashlib
import hmac
import json
import re
import time
import urllib.parse
import urllib.request
import warnings
from typing import Any

from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
# A region of each partition other than aws, for requests whose partition only the role ARN names.
PARTITION_REGION = {"aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1", "aws-eusc": "eusc-de-east-1"}
ACTION = "sts:AssumeRoleWithWebIdentity"


class StsError(STSClientError):
    """An STS error with the HTTP status real STS uses (moto's model lacks AccessDenied)."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(code, message)
        self.status = status


# moto picks the service model for an error from the exception's module (moto.<service>.…).
StsError.__module__ = "moto.sts.exceptions"


def _b64url_json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def decode_jwt(token: str) -> dict[str, Any]:
    """Decodes the payload only: moto cannot know GitHub's signing keys."""
    parts = (token or "").split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        _b64url_json(parts[0])
        claims = _b64url_json(parts[1])
        if not isinstance(claims, dict):
            raise ValueError("payload is not an object")
        return claims
    except (ValueError, binascii.Error, UnicodeDecodeError) as e:
        raise StsError("InvalidIdentityToken", f"The ID Token provided is not a valid JWT. ({e})")


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _like(value: str, pattern: str) -> bool:
    # IAM StringLike: only '*' and '?' are wildcards (no character classes), case-sensitive.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _test(op: str, values: list[str], patterns: list[str]) -> bool:
    base = op.split(":")[-1]
    negate = base.startswith("StringNot")
    if base in ("StringEquals", "StringNotEquals"):
        hit = any(v == p for v in values for p in patterns)
    elif base in ("StringLike", "StringNotLike"):
        hit = any(_like(v, p) for v in values for p in patterns)
    elif base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        hit = any(v.lower() == p.lower() for v in values for p in patterns)
    else:
        return False  # an operator we don't model never grants access
    if negate:
        return bool(values) and not hit
    return hit


def _conditions_hold(condition: dict[str, Any], context: dict[str, list[str]]) -> bool:
    for op, block in (condition or {}).items():
        for key, patterns in block.items():
            values = context.get(key.lower(), [])
            if not _test(op, [str(v) for v in values], [str(p) for p in _as_list(patterns)]):
                return False
    return True


def _statement_matches(st: dict[str, Any], provider_arn: str, context: dict[str, list[str]]) -> bool:
    actions = [a.lower() for a in _as_list(st.get("Action"))]
    if not any(fnmatch.fnmatchcase(ACTION.lower(), a) for a in actions):
        return False
    principal = st.get("Principal") or {}
    federated = _as_list(principal.get("Federated")) if isinstance(principal, dict) else []
    if provider_arn not in federated and principal != "*":
        return False
    return _conditions_hold(st.get("Condition") or {}, context)


def trust_allows(policy_doc: str, provider_arn: str, context: dict[str, list[str]]) -> bool:
    """IAM evaluation for one trust policy: an explicit Deny wins, else some Allow must match."""
    doc = json.loads(urllib.parse.unquote(policy_doc) if policy_doc.startswith("%") else policy_doc)
    statements = _as_list(doc.get("Statement"))
    matching = [st for st in statements if _statement_matches(st, provider_arn, context)]
    if any(st.get("Effect") == "Deny" for st in matching):
        return False
    return any(st.get("Effect") == "Allow" for st in matching)


def check_web_identity(role_arn: str, token: str, partition: str, fallback_account: str) -> None:
    """Raises StsError unless real STS would accept this AssumeRoleWithWebIdentity call."""
    claims = decode_jwt(token)
    m = re.match(r"^arn:[\w-]+:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$", role_arn or "")
    account = m.group(1) if m else fallback_account
    iam = iam_backends[account][partition]
    iss = str(claims.get("iss", ""))
    issuer_key = re.sub(r"^https://", "", iss).rstrip("/")
    provider = next((p for p in iam.open_id_providers.values() if p.url.rstrip("/") == issuer_key), None)
    if provider is None or not iss:
        raise StsError("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {iss}")
    auds = [str(a) for a in _as_list(claims.get("aud"))]
    if not any(a in provider.client_id_list for a in auds):
        raise StsError("InvalidIdentityToken", "Incorrect token audience")
    exp = claims.get("exp")
    now = int(time.time())
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise StsError("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (no exp claim)")
    if exp <= now:
        raise StsError(
            "ExpiredTokenException",
            f"Token expired: current date/time {now} must be before the expiration date/time {exp}",
        )
    if not m:
        raise StsError("AccessDenied", DENIED, 403)
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:
        raise StsError("AccessDenied", DENIED, 403)
    context = {f"{provider.url}:{k}".lower(): [str(x) for x in _as_list(v)] for k, v in claims.items()}
    if not trust_allows(role.assume_role_policy_document, provider.arn, context):
        raise StsError("AccessDenied", DENIED, 403)


def patch_assume_role_with_web_identity() -> None:
    original = TokenResponse.assume_role_with_web_identity
    # AccessDenied is not in STS's error model; moto would warn on every denial.
    warnings.filterwarnings("ignore", message=r".*does not match an error shape.*")

    def patched(self: TokenResponse) -> Any:
        # Real STS answers in the partition of its endpoint, which only accepts role ARNs of that
        # partition. moto takes the partition from the credential scope, which this unsigned call
        # lacks (it would answer arn:aws:… in China and GovCloud): take it from the role ARN.
        m = re.match(r"^arn:([\w-]+):iam::", self._get_param("RoleArn") or "")
        if m and m.group(1) != self.partition and m.group(1) in PARTITION_REGION:
            self.region = PARTITION_REGION[m.group(1)]
            self.partition = m.group(1)
        try:
            check_web_identity(
                self._get_param("RoleArn"),
                self._get_param("WebIdentityToken"),
                self.partition,
                self.current_account,
            )
        except StsError as e:
            _, headers, body = self.serialized(ActionResult(e))
            headers["status"] = e.status
            return body, headers
        return original(self)

    TokenResponse.assume_role_with_web_identity = patched  # type: ignore[method-assign]


def _find_secret(access_key_id: str) -> tuple[str, str | None] | None:
    """(secret, session token or None) that moto issued for this key, across all accounts."""
    for account in list(sts_backends.keys()):
        for backend in sts_backends[account].values():
            role = backend.get_assumed_role_from_access_key(access_key_id)
            if role is not None:
                return role.secret_access_key, role.session_token
    for account in list(iam_backends.keys()):
        for backend in iam_backends[account].values():
            for user in backend.users.values():
                for key in user.access_keys:
                    if key.access_key_id == access_key_id:
                        return key.secret_access_key, None
    return None


def _q(s: str) -> str:
    return urllib.parse.quote(s, safe="-_.~")


def _err(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def identify(url: str, cluster_name: str, moto_port: int) -> dict[str, str]:
    """Checks a presigned GetCallerIdentity URL like STS, then replays it to moto for the ARN."""
    parsed = urllib.parse.urlsplit(url)
    params = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    query = dict(params)
    credential = query.get("X-Amz-Credential", "").split("/")
    signature = query.get("X-Amz-Signature", "")
    amz_date = query.get("X-Amz-Date", "")
    signed = query.get("X-Amz-SignedHeaders", "")
    if len(credential) != 5 or not signature or not amz_date or not signed:
        return _err("MissingAuthenticationToken", "Request is missing Authentication Token")
    akid, date, region, service, terminator = credential
    # Real STS rejects a scope that doesn't fit the endpoint before it looks at the signature,
    # which is what catches a client presigning for one region and sending to another's host.
    host = re.match(r"^sts\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)$", parsed.hostname or "")
    expected_region = host.group(1) if host else "us-east-1"
    if service != "sts" or terminator != "aws4_request" or region != expected_region:
        return _err(
            "SignatureDoesNotMatch",
            f"Credential should be scoped to a valid region, not '{region}'."
            if region != expected_region
            else "Credential should be scoped to correct service: 'sts'.",
        )
    if date != amz_date[:8]:
        return _err(
            "SignatureDoesNotMatch",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )
    found = _find_secret(akid)
    if found is None:
        return _err("InvalidClientTokenId", "The security token included in the request is invalid.")
    secret, session_token = found
    if session_token is not None and query.get("X-Amz-Security-Token") != session_token:
        return _err("InvalidClientTokenId", "The security token included in the request is invalid.")
    header_values = {"host": parsed.netloc, "x-k8s-aws-id": cluster_name}
    names = signed.split(";")
    canonical_query = "&".join(
        f"{_q(k)}={_q(v)}" for k, v in sorted(p for p in params if p[0] != "X-Amz-Signature")
    )
    canonical_headers = "".join(f"{n}:{header_values.get(n, '')}\n" for n in names)
    creq = "\n".join(
        ["GET", parsed.path or "/", canonical_query, canonical_headers, signed, hashlib.sha256(b"").hexdigest()]
    )
    scope = "/".join([date, region, service, terminator])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return _err(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    # moto does not route query-string auth (it falls back to S3): resend with an Authorization header.
    headers = {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={'/'.join(credential)}, "
        f"SignedHeaders={signed}, Signature={signature}",
        "X-Amz-Date": amz_date,
    }
    if "X-Amz-Security-Token" in query:
        headers["X-Amz-Security-Token"] = query["X-Amz-Security-Token"]
    req = urllib.request.Request(
        f"http://127.0.0.1:{moto_port}/?Action=GetCallerIdentity&Version=2011-06-15", headers=headers
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        xml = resp.read().decode()
    out = {}
    for tag, field in (("Arn", "arn"), ("Account", "account"), ("UserId", "userId")):
        hit = re.search(f"<{tag}>([^<]*)</{tag}>", xml)
        out[field] = hit.group(1) if hit else ""
    return out
