export const id = 364;
export const ids = [364];
export const modules = {

/***/ 364:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  anyChange: () => (/* reexport */ anyChange),
  applyCniManifest: () => (/* binding */ applyCniManifest),
  applyEniConfigSet: () => (/* binding */ applyEniConfigSet),
  awaitAwsNode: () => (/* binding */ awaitAwsNode),
  connect: () => (/* binding */ connect),
  createAwsClients: () => (/* reexport */ createAwsClients),
  createTokenSource: () => (/* binding */ createTokenSource),
  describeEksCluster: () => (/* binding */ describeEksCluster),
  getCredentials: () => (/* binding */ getCredentials),
  installKubectlIfWanted: () => (/* binding */ installKubectlIfWanted),
  logClusterState: () => (/* binding */ logClusterState),
  logNetwork: () => (/* binding */ logNetwork),
  prepareManifest: () => (/* binding */ prepareManifest),
  readClusterState: () => (/* binding */ readClusterState),
  refreshKubeconfig: () => (/* binding */ refreshKubeconfig),
  resolveNetwork: () => (/* binding */ resolveNetwork),
  startManifest: () => (/* binding */ startManifest),
  writeKubeconfig: () => (/* binding */ writeKubeconfig)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var client_ec2_dist_cjs = __webpack_require__(5193);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-eks/dist-cjs/index.js
var client_eks_dist_cjs = __webpack_require__(4524);
;// CONCATENATED MODULE: ./src/aws/clients.ts
/**
 * The one place that builds AWS SDK clients, so region, user agent, credentials and retry
 * behaviour are decided once for STS, EKS and EC2.
 */



/** Sent as the SDK's custom user agent so CloudTrail shows which tool made the calls. */
const USER_AGENT = 'eks-cni-custom-networking';
/**
 * One SDK attempt per call: every call site wraps its request in retry() with
 * isRetryableAwsError, and SDK retries underneath would multiply the attempts (and would reuse
 * a stale OIDC token for AssumeRoleWithWebIdentity).
 */
const SDK_MAX_ATTEMPTS = 1;
function clientConfig(region, credentials) {
    // Leaving `credentials` out (rather than undefined) lets the SDK fall back to its default chain.
    const config = {
        region,
        customUserAgent: USER_AGENT,
        maxAttempts: SDK_MAX_ATTEMPTS
    };
    if (credentials)
        config.credentials = credentials;
    return config;
}
/**
 * One place that builds SDK clients: region, customUserAgent 'eks-cni-custom-networking',
 * credentials (undefined → the SDK default chain), maxAttempts. Endpoints come from
 * AWS_ENDPOINT_URL like any SDK client.
 */
function createAwsClients(region, credentials) {
    const config = clientConfig(region, credentials);
    return { sts: new dist_cjs/* STSClient */.iM(config), eks: new client_eks_dist_cjs/* EKSClient */.JQJ(config), ec2: new client_ec2_dist_cjs/* EC2Client */.gu5(config) };
}
/**
 * A credential-less STS client for AssumeRoleWithWebIdentity, which the SDK sends unsigned, so
 * no credential chain is ever consulted. Regional endpoint (or AWS_ENDPOINT_URL).
 */
function createStsClient(region) {
    return new dist_cjs/* STSClient */.iM(clientConfig(region));
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/retry.ts
/**
 * The one retry helper: jittered exponential backoff around idempotent calls (OIDC token, STS,
 * EKS, EC2, Kubernetes reads and applies). The sleep is injectable so tests never wait.
 */
const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Runs `fn` until it succeeds, the error is not retryable, attempts run out or the deadline nears. */
async function retry(fn, options) {
    const attempts = options.attempts ?? 5;
    const baseMs = options.baseMs ?? 250;
    const maxMs = options.maxMs ?? 8000;
    const sleep = options.sleep ?? defaultSleep;
    const random = options.random ?? Math.random;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            const verdict = attempt < attempts ? options.retryable(error) : false;
            if (verdict === false)
                throw error;
            // Full jitter spreads the retries of parallel matrix jobs hitting the same throttled API.
            const wait = typeof verdict === 'number'
                ? verdict
                : Math.round(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
            if (options.deadline !== undefined && Date.now() + wait >= options.deadline)
                throw error;
            const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
            options.onRetry?.(`Retry ${options.label}: attempt ${attempt + 1} of ${attempts} in ${wait} ms (${reason})`);
            await sleep(wait);
        }
    }
}

;// CONCATENATED MODULE: ./src/aws/retryable.ts
/**
 * Which AWS failures deserve another attempt. The SDK's own retries are switched off (see
 * clients.ts) so that retry() is the one retry layer; this classifier is what it consults.
 */
/** Error codes that mean "slow down" across STS, EKS and EC2 (smithy's throttling list, minus quota errors). */
const THROTTLING_CODES = new Set([
    'BandwidthLimitExceeded',
    'EC2ThrottledException',
    'PriorRequestNotComplete',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'RequestThrottled',
    'RequestThrottledException',
    'SlowDown',
    'ThrottledException',
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException'
]);
/** Error codes for transient server-side trouble that a second attempt usually clears. */
const TRANSIENT_CODES = new Set([
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
    'InternalError',
    'InternalFailure',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'ServerException',
    // STS could not reach GitHub's OIDC keys; AWS documents this one as safe to retry.
    'IDPCommunicationError',
    'IDPCommunicationErrorException'
]);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
/** Node socket errors worth retrying. ENOTFOUND is left out: a wrong endpoint will not heal. */
const NETWORK_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH'
]);
const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ETIMEDOUT|timed? ?out/i;
function asShape(error) {
    return typeof error === 'object' && error !== null ? error : undefined;
}
/** The AWS error code of an SDK exception (its name, or `Code` for some XML protocols). */
function awsErrorCode(error) {
    const e = asShape(error);
    if (!e)
        return undefined;
    if (typeof e.Code === 'string')
        return e.Code;
    return typeof e.name === 'string' ? e.name : undefined;
}
/** The HTTP status of an SDK exception, when the service answered at all. */
function awsHttpStatus(error) {
    const status = asShape(error)?.$metadata?.httpStatusCode;
    return typeof status === 'number' ? status : undefined;
}
/**
 * For retry(): true for throttling (Throttling, ThrottlingException, RequestLimitExceeded,
 * TooManyRequestsException…), 5xx, and network errors (ECONNRESET, socket hang up, timeouts);
 * false otherwise. Looks through `cause` so errors we wrapped with context still classify.
 */
function isRetryableAwsError(error) {
    return classify(error, 0);
}
function classify(error, depth) {
    const e = asShape(error);
    if (!e || depth > 3)
        return false;
    const code = awsErrorCode(e);
    if (code && (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code)))
        return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code))
        return true;
    const status = awsHttpStatus(e);
    if (status !== undefined) {
        // An answer with a 4xx status is final, whatever its message says.
        return TRANSIENT_STATUS.has(status);
    }
    if (typeof e.$retryable === 'object' && e.$retryable !== null)
        return true;
    if (typeof e.message === 'string' && NETWORK_MESSAGE.test(e.message))
        return true;
    return e.cause !== undefined && classify(e.cause, depth + 1);
}

;// CONCATENATED MODULE: ./src/aws/credentials.ts
/**
 * AWS credentials for the run: GitHub OIDC → STS AssumeRoleWithWebIdentity, or the SDK default
 * chain. Credentials stay in memory and are masked the moment they exist.
 */






/** The ID-token request failed; @actions/core already retried it, so we do not. */
class IdTokenError extends Error {
}
/** The JWT claims that decide whether a trust policy matches. None of them is secret. */
const TRUST_CLAIMS = ['sub', 'aud', 'repository', 'ref', 'environment', 'job_workflow_ref'];
/**
 * core.getIDToken(audience) → AssumeRoleWithWebIdentity on the region's endpoint, with a fresh ID
 * token per attempt and jittered retries on throttling/5xx/network. The returned keys are masked
 * with core.setSecret as soon as STS answers and are never written anywhere.
 */
async function assumeRoleWithOidc(p) {
    requireOidcEnv(p.roleArn);
    let idToken = '';
    let response;
    try {
        response = await retry(async () => {
            // A fresh token each attempt: a retried call must not present an expired or replayed JWT.
            idToken = await fetchIdToken(p);
            return await p.sts.send(new dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH({
                RoleArn: p.roleArn,
                RoleSessionName: p.sessionName,
                WebIdentityToken: idToken,
                DurationSeconds: p.durationSeconds
            }));
        }, {
            label: 'sts:AssumeRoleWithWebIdentity',
            retryable: isRetryableAssumeRoleError,
            sleep: p.sleep,
            onRetry: (message) => core/* info */.pq(message)
        });
    }
    catch (error) {
        if (error instanceof IdTokenError)
            throw error;
        throw explainAssumeRoleFailure(error, p, idToken);
    }
    const c = response.Credentials;
    for (const secret of [c?.AccessKeyId, c?.SecretAccessKey, c?.SessionToken]) {
        if (secret)
            core/* setSecret */.Pq(secret);
    }
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new Error(`STS AssumeRoleWithWebIdentity for '${p.roleArn}' returned no credentials`);
    }
    return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
        assumedRoleArn: response.AssumedRoleUser?.Arn ?? p.roleArn
    };
}
/**
 * Without role-to-assume: resolve the SDK default chain once, so a missing or broken
 * configuration fails here with a clear message instead of inside the first EKS call.
 */
async function defaultCredentials(region) {
    let identity;
    try {
        identity = await createStsClient(region).config.credentials();
    }
    catch (error) {
        throw new Error(`No AWS credentials found: ${(0,errors/* errorMessage */.g)(error)}. Set role-to-assume to use GitHub OIDC, ` +
            'or configure credentials in an earlier step (e.g. aws-actions/configure-aws-credentials).', { cause: error });
    }
    for (const secret of [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken]) {
        if (secret)
            core/* setSecret */.Pq(secret);
    }
    return {
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
        sessionToken: identity.sessionToken,
        expiration: identity.expiration
    };
}
function requireOidcEnv(roleArn) {
    if (process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
        return;
    throw new Error(missingOidcMessage(roleArn));
}
function missingOidcMessage(roleArn) {
    return (`Cannot assume role '${roleArn}': GitHub gave this job no OIDC token ` +
        '(ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set). ' +
        'Add `permissions: id-token: write` to the job or workflow. Pull requests from forks never ' +
        'get one; there, leave role-to-assume empty and provide credentials another way.');
}
async function fetchIdToken(p) {
    try {
        return await p.getIDToken(p.audience);
    }
    catch (error) {
        const message = (0,errors/* errorMessage */.g)(error);
        if (/ACTIONS_ID_TOKEN_REQUEST/.test(message)) {
            throw new IdTokenError(missingOidcMessage(p.roleArn), { cause: error });
        }
        throw new IdTokenError(`Failed to get a GitHub OIDC token for audience '${p.audience}': ${message}`, { cause: error });
    }
}
function isRetryableAssumeRoleError(error) {
    if (error instanceof IdTokenError)
        return false;
    // The JWT expired between minting and STS; the next attempt mints a new one.
    if (awsErrorCode(error) === 'ExpiredTokenException')
        return true;
    return isRetryableAwsError(error);
}
function explainAssumeRoleFailure(error, p, idToken) {
    // STS does not echo the token today; scrubbing keeps it that way if that ever changes.
    const reason = idToken ? (0,errors/* errorMessage */.g)(error).split(idToken).join('***') : (0,errors/* errorMessage */.g)(error);
    const prefix = `Could not assume role '${p.roleArn}' with GitHub OIDC: ${reason}`;
    const code = awsErrorCode(error);
    if (code === 'AccessDenied' || code === 'IDPRejectedClaimException') {
        return new Error(`${prefix}. The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the ` +
            'federated principal token.actions.githubusercontent.com with a condition matching this ' +
            `repository's subject. This job's token has ${describeClaims(idToken)}.`, { cause: error });
    }
    if (code === 'InvalidIdentityToken' || code === 'InvalidIdentityTokenException') {
        return new Error(`${prefix}. The AWS account needs an IAM OIDC identity provider for ` +
            `https://token.actions.githubusercontent.com whose audiences include '${p.audience}'.`, { cause: error });
    }
    if (/DurationSeconds|MaxSessionDuration/.test(reason)) {
        return new Error(`${prefix}. Lower role-duration-seconds (${p.durationSeconds}) or raise the role's ` +
            'maximum session duration.', { cause: error });
    }
    return new Error(prefix, { cause: error });
}
/** `sub='repo:o/r:ref:refs/heads/main', aud='sts.amazonaws.com', …` from the JWT payload. */
function describeClaims(jwt) {
    const payload = jwt.split('.')[1];
    if (!payload)
        return 'no readable claims';
    let claims;
    try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    }
    catch {
        return 'no readable claims';
    }
    const parts = TRUST_CLAIMS.filter((k) => claims[k] !== undefined).map((k) => `${k}='${Array.isArray(claims[k]) ? claims[k].join(',') : String(claims[k])}'`);
    return parts.length > 0 ? `claims ${parts.join(', ')}` : 'no readable claims';
}

;// CONCATENATED MODULE: ./src/aws/cluster.ts
/** EKS DescribeCluster: the facts about the cluster that every later step depends on. */





/** Statuses in which the API server answers; the same rule as `aws eks update-kubeconfig`. */
const USABLE_STATUSES = ['ACTIVE', 'UPDATING'];
/**
 * EKS DescribeCluster with retry. Throws a clear error for an unknown cluster, for a cluster that
 * is not ACTIVE or UPDATING, and when the endpoint, CA or VPC is missing.
 */
async function describeCluster(eks, name, region, options = {}) {
    let response;
    try {
        response = await retry(() => eks.send(new client_eks_dist_cjs/* DescribeClusterCommand */.hV5({ name })), {
            label: 'eks:DescribeCluster',
            retryable: isRetryableAwsError,
            sleep: options.sleep,
            onRetry: (message) => core/* info */.pq(message)
        });
    }
    catch (error) {
        throw explainDescribeFailure(error, name, region);
    }
    const cluster = response.cluster;
    if (!cluster)
        throw new Error(`EKS DescribeCluster for '${name}' in ${region} returned no cluster`);
    const status = cluster.status ?? 'UNKNOWN';
    if (!USABLE_STATUSES.includes(status)) {
        throw new Error(`EKS cluster '${name}' in region ${region} is ${status}; it must be ACTIVE or UPDATING ` +
            'before its networking can be configured.');
    }
    const endpoint = cluster.endpoint;
    const caData = cluster.certificateAuthority?.data;
    const vpcId = cluster.resourcesVpcConfig?.vpcId;
    const missing = [
        endpoint ? undefined : 'endpoint',
        caData ? undefined : 'certificateAuthority.data',
        vpcId ? undefined : 'resourcesVpcConfig.vpcId'
    ].filter((field) => field !== undefined);
    if (!endpoint || !caData || !vpcId) {
        throw new Error(`EKS cluster '${name}' in region ${region} has no ${missing.join(', ')} in DescribeCluster`);
    }
    return {
        name: cluster.name ?? name,
        arn: cluster.arn ?? '',
        endpoint,
        caData,
        version: cluster.version ?? '',
        status,
        vpcId,
        clusterSecurityGroupId: cluster.resourcesVpcConfig?.clusterSecurityGroupId ?? '',
        platformVersion: cluster.platformVersion
    };
}
function explainDescribeFailure(error, name, region) {
    const code = awsErrorCode(error);
    if (code === 'ResourceNotFoundException') {
        return new Error(`EKS cluster '${name}' not found in region ${region}`, { cause: error });
    }
    if (code === 'AccessDeniedException' || code === 'AccessDenied') {
        return new Error(`Not allowed to describe EKS cluster '${name}' in region ${region}: the credentials need ` +
            `eks:DescribeCluster on it (${(0,errors/* errorMessage */.g)(error)})`, { cause: error });
    }
    return new Error(`Failed to describe EKS cluster '${name}' in region ${region}: ${(0,errors/* errorMessage */.g)(error)}`, { cause: error });
}

// EXTERNAL MODULE: ./node_modules/@aws-crypto/sha256-js/build/main/index.js
var main = __webpack_require__(3156);
// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(5118);
;// CONCATENATED MODULE: ./src/aws/eks-token.ts
/**
 * The EKS bearer token, minted in-process: what `aws eks get-token` prints, without needing the
 * AWS CLI on the runner (facts §1).
 */



const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** Ignored by STS for this use, but old authenticators insist on 0–60 (facts §1.1). */
const URL_EXPIRES_SECONDS = 60;
/** STS accepts the URL for 15 min after X-Amz-Date; awscli stops using it after 14. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;
const DEFAULT_MARGIN_MS = 60 * 1000;
/**
 * The regional STS host. Deliberately not AWS_ENDPOINT_URL: EKS's authenticator accepts only
 * real STS hosts of the cluster's partition, so a token for any other host is useless.
 */
function stsHostForRegion(region) {
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return `sts.${region}.${suffix}`;
}
/**
 * Presigned STS GetCallerIdentity with the signed (not sent) header x-k8s-aws-id, against the
 * regional STS host. X-Amz-Expires=60; expiresAt = signing time + 14 min, like awscli. The token is
 * masked with core.setSecret before it is returned.
 */
async function mintEksToken(p) {
    const hostname = stsHostForRegion(p.region);
    const signingDate = p.signingDate ?? new Date();
    const signer = new signature_v4_dist_cjs.SignatureV4({
        credentials: p.credentials,
        region: p.region,
        service: 'sts',
        sha256: main.Sha256
    });
    const presigned = await signer.presign({
        method: 'GET',
        protocol: 'https:',
        hostname,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: hostname, [CLUSTER_ID_HEADER]: p.clusterName }
    }, { expiresIn: URL_EXPIRES_SECONDS, signingDate });
    const url = `https://${hostname}/?${presignedQueryString(presigned.query ?? {})}`;
    const token = TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
    core/* setSecret */.Pq(token);
    return { token, expiresAt: new Date(signingDate.getTime() + TOKEN_LIFETIME_MS) };
}
/**
 * botocore's order: the signed parameters sorted, then X-Amz-Signature last. Values are
 * RFC 3986-encoded (only unreserved characters stay literal), as in the canonical request.
 */
function presignedQueryString(query) {
    const single = (key) => {
        const value = query[key];
        if (typeof value !== 'string')
            throw new Error(`Presigned STS URL has no single '${key}'`);
        return value;
    };
    const pair = (key) => `${rfc3986(key)}=${rfc3986(single(key))}`;
    const signed = Object.keys(query)
        .filter((key) => key !== 'X-Amz-Signature')
        .sort()
        .map(pair);
    return [...signed, pair('X-Amz-Signature')].join('&');
}
function rfc3986(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/**
 * Hands out a valid token: re-mints when less than `marginMs` (default 60 s) of its life remains,
 * and on demand after a 401 (invalidate()). Concurrent callers share one mint.
 */
class EksTokenSource {
    mint;
    now;
    marginMs;
    current;
    pending;
    constructor(mint, now = () => new Date(), marginMs = DEFAULT_MARGIN_MS) {
        this.mint = mint;
        this.now = now;
        this.marginMs = marginMs;
    }
    /** The current token, minting a new one first if it is missing or about to expire. */
    async get() {
        if (this.current && this.current.expiresAt.getTime() - this.now().getTime() >= this.marginMs) {
            return this.current.token;
        }
        if (!this.pending) {
            this.pending = this.mint().finally(() => {
                this.pending = undefined;
            });
        }
        const minted = await this.pending;
        this.current = minted;
        return minted.token;
    }
    /** Forget the current token, e.g. after the API server answered 401. */
    invalidate() {
        this.current = undefined;
    }
}

;// CONCATENATED MODULE: ./src/aws/network.ts
/**
 * EC2 lookups for the ENIConfigs: which zone each pod subnet is in, and whether the subnets and
 * security groups belong to the cluster's VPC.
 */





/**
 * EC2 DescribeSubnets (one call, retried) and the checks on its answer. Rejects, listing every
 * problem at once: an unknown subnet, a subnet outside the cluster VPC, two subnets in one zone, and
 * a zone=subnet pair whose subnet is in another zone. The result is sorted by zone.
 */
async function resolveSubnets(ec2, specs, vpcId, options = {}) {
    if (specs.length === 0)
        throw new Error('No subnets given: the subnets input needs one per zone');
    const ids = unique(specs.map((s) => s.subnetId));
    const repeated = ids.filter((id) => specs.filter((s) => s.subnetId === id).length > 1);
    if (repeated.length > 0) {
        throw new Error(`Subnet listed more than once in subnets: ${repeated.join(', ')}`);
    }
    // A filter, unlike SubnetIds, answers for the subnets that exist instead of failing on the
    // first unknown one, so every unknown ID can be named in one message.
    const found = await describeAll(options, 'ec2:DescribeSubnets', (token) => ec2
        .send(new client_ec2_dist_cjs/* DescribeSubnetsCommand */.jSW({
        Filters: [{ Name: 'subnet-id', Values: ids }],
        NextToken: token
    }))
        .then((r) => ({ items: r.Subnets ?? [], next: r.NextToken })));
    const byId = new Map(found.map((s) => [s.SubnetId ?? '', s]));
    const problems = [];
    const resolved = [];
    for (const spec of specs) {
        const subnet = byId.get(spec.subnetId);
        if (!subnet) {
            problems.push(`subnet ${spec.subnetId} does not exist (or is not visible to these credentials)`);
            continue;
        }
        const zone = subnet.AvailabilityZone ?? '';
        const zoneId = subnet.AvailabilityZoneId ?? '';
        if (subnet.VpcId !== vpcId) {
            problems.push(`subnet ${spec.subnetId} is in VPC ${subnet.VpcId ?? 'unknown'}, not in the cluster's VPC ${vpcId}`);
        }
        if (spec.zone !== undefined && spec.zone !== zone && spec.zone !== zoneId) {
            problems.push(`subnet ${spec.subnetId} is in zone ${zone} (${zoneId}), not in ${spec.zone} as given`);
        }
        resolved.push({ zone, zoneId, subnetId: spec.subnetId, cidr: subnet.CidrBlock ?? '' });
    }
    for (const zone of unique(resolved.map((s) => s.zone))) {
        const inZone = resolved.filter((s) => s.zone === zone).map((s) => s.subnetId);
        if (inZone.length > 1) {
            // ENIConfigs are named after the zone, so a zone can only have one pod subnet.
            problems.push(`subnets ${inZone.join(' and ')} are both in zone ${zone}; give one per zone`);
        }
    }
    if (problems.length > 0)
        throw new Error(`Invalid subnets:\n- ${problems.join('\n- ')}`);
    return resolved.sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
}
/**
 * EC2 DescribeSecurityGroups (retried) → rejects unknown groups and groups outside the VPC.
 * Returns the IDs in the order given, without repeats.
 */
async function resolveSecurityGroups(ec2, ids, vpcId, options = {}) {
    const wanted = unique(ids);
    // EC2 rejects a filter without values, and there is nothing to check anyway.
    if (wanted.length === 0)
        return [];
    const found = await describeAll(options, 'ec2:DescribeSecurityGroups', (token) => ec2
        .send(new client_ec2_dist_cjs/* DescribeSecurityGroupsCommand */.jsQ({
        Filters: [{ Name: 'group-id', Values: wanted }],
        NextToken: token
    }))
        .then((r) => ({ items: r.SecurityGroups ?? [], next: r.NextToken })));
    const byId = new Map(found.map((g) => [g.GroupId ?? '', g]));
    const problems = [];
    for (const id of wanted) {
        const group = byId.get(id);
        if (!group) {
            problems.push(`security group ${id} does not exist (or is not visible to these credentials)`);
        }
        else if (group.VpcId !== vpcId) {
            problems.push(`security group ${id} is in VPC ${group.VpcId ?? 'unknown'}, not in the cluster's VPC ${vpcId}`);
        }
    }
    if (problems.length > 0)
        throw new Error(`Invalid security-groups:\n- ${problems.join('\n- ')}`);
    return wanted;
}
/**
 * Follows NextToken (normally a single page) with retry, and adds context to failures. `action`
 * is both the retry label and the IAM permission the call needs.
 */
async function describeAll(options, action, page) {
    const items = [];
    let token;
    try {
        do {
            const result = await retry(() => page(token), {
                label: action,
                retryable: isRetryableAwsError,
                sleep: options.sleep,
                onRetry: (message) => core/* info */.pq(message)
            });
            items.push(...result.items);
            token = result.next;
        } while (token);
    }
    catch (error) {
        const denied = ['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException'];
        const hint = denied.includes(awsErrorCode(error) ?? '')
            ? ` (the credentials need ${action})`
            : '';
        throw new Error(`${action} failed${hint}: ${(0,errors/* errorMessage */.g)(error)}`, { cause: error });
    }
    return items;
}
function unique(values) {
    return [...new Set(values)];
}

;// CONCATENATED MODULE: ./src/cni/registry.ts
/**
 * Where the VPC CNI images live per region. The official manifests point at us-west-2 (or the
 * partition's home region); nodes elsewhere pull from their own region's EKS add-on registry, whose
 * account differs by region (facts §3.4, from the EKS user guide's add-ons-images page).
 */
const SHARED_ACCOUNT = '602401143452';
/** ECR account hosting the EKS add-on images, per region. */
const ECR_ACCOUNTS = Object.freeze({
    ...Object.fromEntries([
        'us-east-1',
        'us-east-2',
        'us-west-1',
        'us-west-2',
        'ca-central-1',
        'sa-east-1',
        'eu-central-1',
        'eu-west-1',
        'eu-west-2',
        'eu-west-3',
        'eu-north-1',
        'ap-south-1',
        'ap-northeast-1',
        'ap-northeast-2',
        'ap-northeast-3',
        'ap-southeast-1',
        'ap-southeast-2'
    ].map((region) => [region, SHARED_ACCOUNT])),
    'af-south-1': '877085696533',
    'ap-east-1': '800184023465',
    // The user guide prints an ap-east-1 host for this account; the region is ap-east-2.
    'ap-east-2': '533267051163',
    'ap-southeast-3': '296578399912',
    'ap-south-2': '900889452093',
    'ap-southeast-4': '491585149902',
    'ap-southeast-6': '333609536671',
    'ap-southeast-7': '121268973566',
    'eu-south-1': '590381155156',
    'eu-south-2': '455263428931',
    'eu-central-2': '900612956339',
    'il-central-1': '066635153087',
    'mx-central-1': '730335286997',
    'me-south-1': '558608220178',
    'me-central-1': '759879836304',
    'ca-west-1': '761377655185',
    'cn-north-1': '918309763551',
    'cn-northwest-1': '961992271922',
    'us-gov-east-1': '151742754352',
    'us-gov-west-1': '013241004608',
    'eusc-de-east-1': '877088126301'
});
const DOMAINS = {
    aws: 'amazonaws.com',
    'aws-cn': 'amazonaws.com.cn',
    'aws-us-gov': 'amazonaws.com',
    'aws-eusc': 'amazonaws.eu'
};
/** Matches the host of any EKS add-on ECR registry, in every partition. */
const ECR_REGISTRY_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.(?:com|com\.cn|eu)$/;
/** The partition of a region, from its prefix. */
function partitionOf(region) {
    if (region.startsWith('cn-'))
        return 'aws-cn';
    if (region.startsWith('us-gov-'))
        return 'aws-us-gov';
    if (region.startsWith('eusc-'))
        return 'aws-eusc';
    return 'aws';
}
/**
 * The ECR registry host for the CNI images in `region`, e.g. `602401143452.dkr.ecr.ap-northeast-2.amazonaws.com`.
 *
 * @throws Error for a region missing from the table, naming it and the `image-registry` input
 */
function ecrRegistryForRegion(region) {
    const account = Object.hasOwn(ECR_ACCOUNTS, region) ? ECR_ACCOUNTS[region] : undefined;
    if (account === undefined) {
        throw new Error(`No known ECR registry for the VPC CNI images in region '${region}'. Set the input ` +
            `image-registry to the registry your nodes pull from (e.g. <account>.dkr.ecr.${region}.amazonaws.com), ` +
            `or to 'keep' to leave the manifest's images as they are.`);
    }
    return `${account}.dkr.ecr.${region}.${DOMAINS[partitionOf(region)]}`;
}

;// CONCATENATED MODULE: ./src/cni/aws-node.ts

/** Name of the DaemonSet, and of its main container. */
const AWS_NODE = 'aws-node';
/** Namespace of the DaemonSet in every official manifest. */
const AWS_NODE_NAMESPACE = 'kube-system';
/** The init container that reads DISABLE_TCP_EARLY_DEMUX. */
const AWS_NODE_INIT_CONTAINER = 'aws-vpc-cni-init';
/** Whether `o` is DaemonSet kube-system/aws-node. */
function isAwsNodeDaemonSet(o) {
    return (o.kind === 'DaemonSet' &&
        o.metadata?.name === AWS_NODE &&
        o.metadata?.namespace === AWS_NODE_NAMESPACE);
}
/**
 * Returns new objects where the aws-node DaemonSet carries `settings` and, unless `registry` is
 * undefined ('keep'), every ECR image of the DaemonSet points at `registry`. Existing env entries are
 * rewritten in place (a `valueFrom` is dropped), missing ones are appended; nothing else changes.
 *
 * @throws Error when there is no aws-node DaemonSet, no container `aws-node`, or initEnv is
 *   non-empty and there is no init container `aws-vpc-cni-init`
 */
function editAwsNode(objects, settings, registry) {
    let found = false;
    const edited = objects.map((object) => {
        const copy = cloneDeep(object);
        if (isAwsNodeDaemonSet(copy)) {
            found = true;
            editDaemonSet(copy, settings, registry);
        }
        return copy;
    });
    if (!found) {
        throw new Error(`The manifest has no DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} to configure`);
    }
    return edited;
}
/** The effective env of container aws-node and the init container, and every image of the DaemonSet. */
function awsNodeEnv(ds) {
    const spec = ds.spec?.template?.spec;
    const containers = spec?.containers ?? [];
    const initContainers = spec?.initContainers ?? [];
    return {
        env: envRecord(containers.find((c) => c.name === AWS_NODE)),
        initEnv: envRecord(initContainers.find((c) => c.name === AWS_NODE_INIT_CONTAINER)),
        images: [...initContainers, ...containers].flatMap((c) => (c.image ? [c.image] : []))
    };
}
/** Moves an image from any EKS add-on ECR registry to `registry`; other images stay as they are. */
function moveImage(image, registry) {
    const slash = image.indexOf('/');
    if (slash < 0 || !ECR_REGISTRY_HOST.test(image.slice(0, slash)))
        return image;
    return `${registry.replace(/\/+$/, '')}${image.slice(slash)}`;
}
function editDaemonSet(ds, settings, registry) {
    const podSpec = ds.spec?.template?.spec;
    const where = `DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE}`;
    const main = podSpec?.containers.find((c) => c.name === AWS_NODE);
    if (!podSpec || !main)
        throw new Error(`The manifest's ${where} has no container '${AWS_NODE}'`);
    setEnv(main, settings.env);
    if (Object.keys(settings.initEnv).length > 0) {
        const init = podSpec.initContainers?.find((c) => c.name === AWS_NODE_INIT_CONTAINER);
        if (!init) {
            throw new Error(`The manifest's ${where} has no init container '${AWS_NODE_INIT_CONTAINER}' to set ` +
                `${Object.keys(settings.initEnv).join(', ')} on`);
        }
        setEnv(init, settings.initEnv);
    }
    if (registry === undefined)
        return;
    for (const container of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
        if (container.image)
            container.image = moveImage(container.image, registry);
    }
}
function setEnv(container, values) {
    const env = container.env ?? [];
    for (const [name, value] of Object.entries(values)) {
        const existing = env.filter((e) => e.name === name);
        for (const entry of existing) {
            // A literal value and valueFrom are mutually exclusive in the API.
            entry.value = value;
            delete entry.valueFrom;
        }
        if (existing.length === 0)
            env.push({ name, value });
    }
    if (env.length > 0)
        container.env = env;
}
function envRecord(container) {
    const record = {};
    for (const entry of container?.env ?? []) {
        // Entries from valueFrom (MY_NODE_NAME, …) have no literal value to compare or show.
        if (entry.valueFrom === undefined)
            record[entry.name] = entry.value ?? '';
    }
    return record;
}
/** Deep copy that keeps prototypes, so model instances stay model instances for the serializer. */
function cloneDeep(value) {
    if (Array.isArray(value))
        return value.map((item) => cloneDeep(item));
    if (value instanceof Date)
        return new Date(value.getTime());
    if (value !== null && typeof value === 'object') {
        const copy = Object.create(Object.getPrototypeOf(value));
        for (const [key, item] of Object.entries(value))
            copy[key] = cloneDeep(item);
        return copy;
    }
    return value;
}

;// CONCATENATED MODULE: ./src/cni/eniconfig.ts
/** The node label whose value is the zone ID. */
const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id';
/** API version of the ENIConfig custom resource. */
const ENI_CONFIG_API_VERSION = 'crd.k8s.amazonaws.com/v1alpha1';
/**
 * One ENIConfig per zone, sorted by name. `securityGroups` is omitted when empty: the CNI then
 * uses the node's primary ENI security groups.
 *
 * @throws Error if two subnets map to the same ENIConfig name
 */
function buildEniConfigs(zones, securityGroups, labelDef) {
    const byZoneId = labelDef === ZONE_ID_LABEL;
    const seen = new Map();
    const configs = zones.map((z) => {
        const name = byZoneId ? z.zoneId : z.zone;
        const other = seen.get(name);
        if (other !== undefined) {
            throw new Error(`Subnets ${other} and ${z.subnetId} are both in zone ${name}; give one subnet per zone`);
        }
        seen.set(name, z.subnetId);
        return {
            apiVersion: ENI_CONFIG_API_VERSION,
            kind: 'ENIConfig',
            metadata: { name },
            spec: {
                subnet: z.subnetId,
                ...(securityGroups.length > 0 ? { securityGroups: [...securityGroups] } : {})
            }
        };
    });
    return configs.sort((a, b) => a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./node_modules/@kubernetes/client-node/dist/index.js + 826 modules
var dist = __webpack_require__(9488);
// EXTERNAL MODULE: ./node_modules/js-yaml/dist/js-yaml.mjs
var js_yaml = __webpack_require__(3243);
;// CONCATENATED MODULE: ./src/download.ts
/**
 * A small text download for manifests, checksums and kubectl's stable-*.txt files. Transient
 * failures (5xx, 408, 429, network errors, timeouts) are retried through the one retry helper;
 * anything else (404, 403, a wrong scheme) fails at once with the URL in the message.
 */



/** A non-2xx answer. Carries the URL and status so callers can map e.g. 404 to their own words. */
class HttpStatusError extends Error {
    url;
    status;
    retryAfterMs;
    constructor(url, status, statusText, retryAfterMs) {
        super(`GET ${url} failed: HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
        this.url = url;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
        this.name = 'HttpStatusError';
    }
}
// A server's Retry-After is honoured only up to this, so a bad header cannot stall the job.
const MAX_RETRY_AFTER_MS = 30_000;
/** Whether a failed download is worth another attempt, or how long the server asked us to wait. */
function isRetryableDownloadError(error) {
    if (error instanceof HttpStatusError) {
        const transient = error.status >= 500 || error.status === 408 || error.status === 429;
        if (!transient)
            return false;
        return error.retryAfterMs !== undefined ? error.retryAfterMs : true;
    }
    // Everything else thrown inside an attempt is a network failure or a timeout from fetch().
    return true;
}
/**
 * GETs `url` (http or https only) and returns the body as text.
 *
 * @throws {HttpStatusError} on a non-2xx answer (after retries for transient ones)
 * @throws Error naming the URL on network failures, with the underlying error as `cause`
 */
async function download_fetchText(url, options = {}) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch (error) {
        throw new Error(`Cannot download '${url}': not a valid URL`, { cause: error });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new Error(`Cannot download '${url}': only https:// and http:// URLs work`);
    }
    // fetch() refuses them anyway; failing here keeps the secret out of every later message.
    if (parsed.username || parsed.password) {
        throw new Error(`Cannot download '${redactUrl(url)}': credentials in the URL are not supported`);
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    return retry(() => fetchOnce(url, timeoutMs), {
        label: 'download',
        attempts: options.attempts ?? 4,
        retryable: isRetryableDownloadError,
        sleep: options.sleep,
        onRetry: options.onRetry ?? ((message) => core/* info */.pq(message))
    });
}
async function fetchOnce(url, timeoutMs) {
    let response;
    try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    }
    catch (error) {
        // fetch() hides the useful part (ECONNREFUSED, ENOTFOUND, …) in `cause`.
        // Duck-typed: fetch's errors may come from another realm (e.g. under jest's VM modules).
        const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
        const detail = cause !== undefined ? `${messageOf(error)}: ${messageOf(cause)}` : messageOf(error);
        throw new Error(`GET ${url} failed: ${detail}`, { cause: error });
    }
    if (!response.ok) {
        // Drain the body so the connection can be reused or closed.
        await response.arrayBuffer().catch(() => undefined);
        throw new HttpStatusError(url, response.status, response.statusText, retryAfterMs(response));
    }
    try {
        return await response.text();
    }
    catch (error) {
        throw new Error(`GET ${url} failed while reading the body: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
}
function retryAfterMs(response) {
    const header = response.headers.get('retry-after');
    if (header === null || !/^\d+$/.test(header.trim()))
        return undefined;
    return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS);
}
/** The URL with any user and password replaced by `***`, for messages. */
function redactUrl(url) {
    try {
        const parsed = new URL(url);
        if (!parsed.username && !parsed.password)
            return url;
        parsed.username = '***';
        parsed.password = '';
        return parsed.toString();
    }
    catch {
        return url;
    }
}
/** errorMessage() for errors that may come from another realm, where `instanceof Error` fails. */
function messageOf(error) {
    return typeof error === 'object' &&
        error !== null &&
        'message' in error &&
        typeof error.message === 'string'
        ? error.message
        : (0,errors/* errorMessage */.g)(error);
}

;// CONCATENATED MODULE: ./src/cni/versions.ts
/**
 * VPC CNI releases the action knows, with sha256 pins of their official manifests. The pins were
 * computed from the files at raw.githubusercontent.com/aws/amazon-vpc-cni-k8s/<tag>/config/master/,
 * so a mirror or a moved tag that serves different bytes is caught before anything is applied.
 */
// Only files whose bytes were hashed are listed; other variants of a known version stay unpinned.
const PINS = {
    'v1.23.0': {
        'aws-k8s-cni.yaml': '3a932385c0db788d8b080b8a9ea262681ed2b564bcc764f95e5b886bdf8494ab',
        'aws-k8s-cni-cn.yaml': 'be5c367fdea8bec456f21d8473fe74baba8c03ed14b72c6ca3d39b2f4748fcca',
        'aws-k8s-cni-us-gov-west-1.yaml': '8303efb2d3bdaee491fb63e9049fd827c401b2203958001acb2af6e896217077'
    },
    'v1.20.5': {
        'aws-k8s-cni.yaml': '2b97823abfb0e6929f9cc6694d7e3ae37449670227d5c53866ef637e1c3d5fb9'
    },
    'v1.19.6': {
        'aws-k8s-cni.yaml': 'a80f37050a3e46b072b7e6dd2f0b8ea746fad15f214dffdf558e99d51dbcf0da'
    },
    'v1.11.2': {
        'aws-k8s-cni.yaml': '716f50ddef6de1aa377a9469c9beff86ec900ec1301ee841072e1042f366355b'
    }
};
/** Versions the action knows, newest first. */
const KNOWN_CNI_VERSIONS = Object.freeze(Object.keys(PINS));
/** The default when neither the input nor the cluster names a version. */
const LATEST_KNOWN_CNI_VERSION = KNOWN_CNI_VERSIONS[0];
/** `1.19.6` → `v1.19.6`; tags on GitHub always carry the `v`. */
function normalizeCniVersion(version) {
    const trimmed = version.trim();
    return trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
}
/** The built-in sha256 (lowercase hex) of `file` at `version`, or undefined when it is not pinned. */
function builtInPin(version, file) {
    const v = normalizeCniVersion(version);
    const pins = Object.hasOwn(PINS, v) ? PINS[v] : {};
    return Object.hasOwn(pins, file) ? pins[file] : undefined;
}
/**
 * The CNI release behind an image tag or reference, e.g. `v1.19.6-eksbuild.1` or
 * `602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1` → `v1.19.6`.
 * Returns undefined for anything else (a digest-only reference, `latest`, a release candidate),
 * so the caller decides instead of guessing a manifest.
 */
function cniVersionFromImage(image) {
    let ref = image.trim();
    const at = ref.indexOf('@');
    if (at >= 0)
        ref = ref.slice(0, at);
    // The tag follows the last ':' after the last '/'; a ':' before that is a registry port.
    const lastSlash = ref.lastIndexOf('/');
    const colon = ref.indexOf(':', lastSlash + 1);
    const tag = colon >= 0 ? ref.slice(colon + 1) : lastSlash < 0 ? ref : '';
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.\d+)?$/.exec(tag);
    return m ? `v${m[1]}.${m[2]}.${m[3]}` : undefined;
}

;// CONCATENATED MODULE: ./src/cni/manifest.ts
/**
 * Finding, fetching, verifying and parsing the VPC CNI manifest (issue 3, behaviour 8). Parsing goes
 * through client-node's loadAllYaml: it turns each document into a model instance, and only model
 * instances keep fields such as `x-kubernetes-preserve-unknown-fields` when client-node sends them
 * (wire-protocol doc §5).
 */









/** The official manifest file for a region: the China and GovCloud ones carry their own registries. */
function manifestFileForRegion(region) {
    switch (partitionOf(region)) {
        case 'aws-cn':
            return 'aws-k8s-cni-cn.yaml';
        case 'aws-us-gov':
            return `aws-k8s-cni-${region}.yaml`;
        default:
            return 'aws-k8s-cni.yaml';
    }
}
/**
 * The `manifest` input (a path, or an http(s) URL) when set, else the official file for
 * `cniVersion` under `baseUrl`. The pin is `manifest-sha256` when given, else the built-in pin of
 * the official file (none for a user's own manifest).
 */
function resolveManifestSource(p) {
    const explicit = p.manifestSha256?.trim().toLowerCase();
    const pin = (sha256, pinFrom) => sha256 ? { sha256, pinFrom } : {};
    const custom = p.manifest?.trim();
    if (custom) {
        const where = /^https?:\/\//i.test(custom) ? { url: custom } : { path: custom };
        return { ...where, ...pin(explicit, 'manifest-sha256') };
    }
    const version = normalizeCniVersion(p.cniVersion);
    const file = manifestFileForRegion(p.region);
    const url = `${p.baseUrl.replace(/\/+$/, '')}/aws/amazon-vpc-cni-k8s/${version}/config/master/${file}`;
    return {
        url,
        ...(explicit ? pin(explicit, 'manifest-sha256') : pin(builtInPin(version, file), 'built-in'))
    };
}
/**
 * Reads or downloads the manifest, checks its sha256 when one is known, and parses it.
 *
 * @throws Error for an unreadable file, a failed download, a sha256 mismatch (quoting both hashes),
 *   text that is not YAML, or a manifest without DaemonSet kube-system/aws-node and its container
 */
async function loadManifest(source, fetchText = (url) => download_fetchText(url)) {
    const where = source.url ?? source.path;
    if (where === undefined)
        throw new Error('No manifest to load: neither a URL nor a path is set');
    const bytes = await readManifest(source, fetchText);
    if (source.sha256) {
        const actual = (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex');
        if (actual !== source.sha256.toLowerCase()) {
            const pinned = source.pinFrom === 'built-in' ? 'the built-in pin for this version' : 'manifest-sha256';
            throw new Error(`The VPC CNI manifest ${where} has sha256 ${actual}, but ${pinned} expects ${source.sha256}. ` +
                'The file is not the one that was pinned; check the source (or mirror) and the pin.');
        }
    }
    const objects = parseManifest(bytes.toString('utf8'), where);
    checkAwsNode(objects, where);
    return objects;
}
async function readManifest(source, fetchText) {
    if (source.url !== undefined) {
        try {
            return Buffer.from(await fetchText(source.url), 'utf8');
        }
        catch (error) {
            throw new Error(`Failed to download the VPC CNI manifest: ${(0,errors/* errorMessage */.g)(error)}`, {
                cause: error
            });
        }
    }
    const file = source.path ?? '';
    try {
        return await (0,promises_.readFile)(file);
    }
    catch (error) {
        throw new Error(`Cannot read the manifest file '${file}': ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
}
function parseManifest(text, where) {
    const body = text.replace(/^\uFEFF/, '');
    // js-yaml first, for a clear message on bad YAML and on documents that are not objects.
    let documents;
    try {
        documents = (0,js_yaml/* loadAll */.gh)(body);
    }
    catch (error) {
        throw new Error(`The manifest ${where} is not valid YAML: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
    documents.forEach((doc, index) => {
        if (doc === null || doc === undefined)
            return;
        const o = doc;
        if (typeof doc !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
            throw new Error(`The manifest ${where} is not a Kubernetes manifest: document ${index + 1} has no apiVersion and kind`);
        }
    });
    // loadAllYaml fails on empty documents (a trailing '---'), so those are dropped first.
    const source = documents.some((doc) => doc === null || doc === undefined)
        ? splitDocuments(body)
            .filter((chunk) => (0,js_yaml/* loadAll */.gh)(chunk).some((doc) => doc !== null && doc !== undefined))
            .join('\n---\n')
        : body;
    try {
        return (0,dist/* loadAllYaml */.bQm)(source);
    }
    catch (error) {
        throw new Error(`Failed to parse the manifest ${where}: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
}
function splitDocuments(text) {
    return text.split(/^---[ \t]*(?:#.*)?$/m);
}
function checkAwsNode(objects, where) {
    const ds = objects.find(isAwsNodeDaemonSet);
    if (!ds) {
        const found = objects.map((o) => `${o.kind}/${o.metadata?.name ?? '?'}`).join(', ') || 'nothing';
        throw new Error(`The manifest ${where} has no DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} (found: ${found}). ` +
            'Is it an aws-k8s-cni.yaml from aws/amazon-vpc-cni-k8s?');
    }
    if (!ds.spec?.template?.spec?.containers?.some((c) => c.name === AWS_NODE)) {
        throw new Error(`The manifest ${where}: DaemonSet ${AWS_NODE_NAMESPACE}/${AWS_NODE} has no container '${AWS_NODE}'`);
    }
}

// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(9805);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/kubectl/install.ts
/**
 * kubectl through the runner's tool cache (issue 3, behaviour 7), after Azure/setup-kubectl's
 * downloadKubectl, plus what it lacks: the published sha256 is checked before anything is cached,
 * and concurrent installs of one version into a shared tool cache cannot corrupt it.
 */









const TOOL = 'kubectl';
// Recorded next to the cached binary so a cache hit can be verified without the network.
const SHA_FILE = 'kubectl.sha256';
const FULL_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;
const MINOR_VERSION = /^v?(\d+)\.(\d+)$/;
/** kubectl's architecture name for a Node.js `os.arch()`. */
function kubectlArch(nodeArch = external_node_os_default().arch()) {
    const names = {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'arm',
        ppc64: 'ppc64le'
    };
    return names[nodeArch] ?? nodeArch;
}
/**
 * The exact kubectl version to install: a full version as is (with `v`), a major.minor (or, with
 * no input, the cluster's minor) from `stable-<minor>.txt`, 'latest' from `stable.txt`.
 *
 * @throws Error naming the input kubectl-version and the accepted forms; there is no fallback
 */
async function resolveKubectlVersion(p, fetchText) {
    const raw = p.version?.trim() ?? '';
    const full = FULL_VERSION.exec(raw);
    if (full)
        return `v${full[1]}.${full[2]}.${full[3]}`;
    const mirror = p.mirror.replace(/\/+$/, '');
    let url;
    if (raw === 'latest') {
        url = `${mirror}/release/stable.txt`;
    }
    else if (raw !== '') {
        const minor = MINOR_VERSION.exec(raw);
        if (!minor) {
            throw new Error(`Invalid kubectl-version '${raw}': expected 'latest', a minor version such as '1.31' ` +
                `(its latest patch) or a full version such as 'v1.31.2'`);
        }
        url = `${mirror}/release/stable-${minor[1]}.${minor[2]}.txt`;
    }
    else {
        const minor = MINOR_VERSION.exec(p.clusterVersion.trim());
        if (!minor) {
            throw new Error(`Cannot pick a kubectl for cluster version '${p.clusterVersion}' (expected e.g. '1.31'); ` +
                'set kubectl-version');
        }
        url = `${mirror}/release/stable-${minor[1]}.${minor[2]}.txt`;
    }
    let answer;
    try {
        answer = (await fetchText(url)).trim();
    }
    catch (error) {
        throw new Error(`Cannot resolve kubectl-version '${raw || `latest ${p.clusterVersion}.x`}': ${(0,errors/* errorMessage */.g)(error)}`, { cause: error });
    }
    const resolved = FULL_VERSION.exec(answer);
    if (!resolved) {
        throw new Error(`${url} answered '${answer.slice(0, 60)}', which is not a version like v1.31.2`);
    }
    return `v${resolved[1]}.${resolved[2]}.${resolved[3]}`;
}
/**
 * Installs kubectl and puts it on PATH. A cached copy is used without any network request when the
 * version is given in full; otherwise the version is resolved first. A download is checked against
 * the published `.sha256` before it is cached.
 *
 * @returns the binary's path, the exact version, and whether it came from the cache
 */
async function installKubectl(p, deps = {}) {
    const tc = deps.tc ?? tool_cache;
    const fetchText = deps.fetchText ?? ((url) => download_fetchText(url));
    const arch = p.arch ?? kubectlArch();
    const version = await resolveKubectlVersion(p, fetchText);
    const cached = tc.find(TOOL, version, arch);
    if (cached) {
        if (await matchesRecordedSha(cached)) {
            core/* info */.pq(`kubectl ${version} found in the tool cache at ${cached}`);
            core/* addPath */.fM(cached);
            return { path: external_node_path_default().join(cached, TOOL), version, cacheHit: true };
        }
        core/* warning */.$e(`The cached kubectl at ${cached} fails its sha256 check; downloading it again`);
    }
    const dir = await downloadAndCache(tc, fetchText, p.mirror.replace(/\/+$/, ''), version, arch);
    core/* info */.pq(`kubectl ${version} installed at ${dir}`);
    core/* addPath */.fM(dir);
    return { path: external_node_path_default().join(dir, TOOL), version, cacheHit: false };
}
async function downloadAndCache(tc, fetchText, mirror, version, arch) {
    const url = `${mirror}/release/${version}/bin/linux/${arch}/kubectl`;
    const [binary, checksum] = await Promise.allSettled([
        tc.downloadTool(url),
        fetchText(`${url}.sha256`)
    ]);
    if (binary.status === 'rejected') {
        throw downloadError(binary.reason, version, arch, redactUrl(url));
    }
    const downloaded = binary.value;
    try {
        if (checksum.status === 'rejected') {
            throw new Error(`Cannot fetch the published sha256 of kubectl ${version}: ${(0,errors/* errorMessage */.g)(checksum.reason)}`, { cause: checksum.reason });
        }
        const expected = parseSha256(checksum.value, `${redactUrl(url)}.sha256`);
        const actual = await sha256File(downloaded);
        if (actual !== expected) {
            const shown = redactUrl(url);
            throw new Error(`kubectl ${version} from ${shown} has sha256 ${actual}, but ${shown}.sha256 publishes ` +
                `${expected}. Nothing was cached.`);
        }
        await (0,promises_.chmod)(downloaded, 0o755);
        return await cacheAtomically(tc, downloaded, version, arch, expected);
    }
    finally {
        await (0,promises_.rm)(downloaded, { force: true });
    }
}
/**
 * tool-cache's cacheFile empties the version directory, copies, then writes the `.complete`
 * marker. Two jobs caching one version at once can therefore leave a half-copied binary behind a
 * marker. So the file is cached under a unique staging version and the finished directory is
 * moved into place with one atomic rename; whoever loses the race checks and uses the winner's copy.
 */
async function cacheAtomically(tc, file, version, arch, sha256) {
    const clean = version.replace(/^v/, '');
    const staging = `${clean}-staging.x${(0,external_node_crypto_.randomUUID)().replace(/-/g, '')}`;
    const staged = await tc.cacheFile(file, TOOL, TOOL, staging, arch);
    const stagingRoot = external_node_path_default().dirname(staged);
    const finalDir = external_node_path_default().join(external_node_path_default().dirname(stagingRoot), clean, arch);
    try {
        await (0,promises_.writeFile)(external_node_path_default().join(staged, SHA_FILE), `${sha256}\n`);
        await (0,promises_.mkdir)(external_node_path_default().dirname(finalDir), { recursive: true });
        await moveIntoPlace(staged, finalDir, sha256);
        await (0,promises_.writeFile)(`${finalDir}.complete`, '');
        return finalDir;
    }
    catch (error) {
        throw new Error(`Cannot cache kubectl ${version} at ${finalDir}: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
    finally {
        await (0,promises_.rm)(stagingRoot, { recursive: true, force: true });
    }
}
async function moveIntoPlace(staged, finalDir, sha256) {
    for (let attempt = 1;; attempt++) {
        try {
            await (0,promises_.rename)(staged, finalDir);
            return;
        }
        catch (error) {
            if (!hasCode(error, 'ENOTEMPTY', 'EEXIST'))
                throw error;
        }
        // Another install got there first; its binary is as good as ours if the hash matches.
        if ((await sha256File(external_node_path_default().join(finalDir, TOOL)).catch(() => '')) === sha256) {
            await writeAtomically(external_node_path_default().join(finalDir, SHA_FILE), `${sha256}\n`);
            core/* info */.pq(`A concurrent install already cached the same kubectl at ${finalDir}; using it`);
            return;
        }
        if (attempt >= 3)
            throw new Error(`a different kubectl keeps appearing at ${finalDir}`);
        // A broken copy (e.g. from an interrupted older install): move it aside, then retry.
        const aside = `${finalDir}.replaced-${(0,external_node_crypto_.randomUUID)()}`;
        await (0,promises_.rename)(finalDir, aside).catch((error) => {
            if (!hasCode(error, 'ENOENT'))
                throw error;
        });
        await (0,promises_.rm)(aside, { recursive: true, force: true });
    }
}
async function matchesRecordedSha(dir) {
    try {
        const recorded = (await (0,promises_.readFile)(external_node_path_default().join(dir, SHA_FILE), 'utf8')).trim();
        return recorded === (await sha256File(external_node_path_default().join(dir, TOOL)));
    }
    catch {
        return false;
    }
}
async function writeAtomically(file, content) {
    const temp = `${file}.${(0,external_node_crypto_.randomUUID)()}`;
    await (0,promises_.writeFile)(temp, content);
    await (0,promises_.rename)(temp, file);
}
function parseSha256(text, url) {
    // dl.k8s.io publishes the bare digest; a "digest  filename" line is accepted too.
    const digest = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (!/^[0-9a-f]{64}$/.test(digest)) {
        throw new Error(`${url} does not hold a sha256 digest (got '${text.trim().slice(0, 80)}')`);
    }
    return digest;
}
function downloadError(error, version, arch, url) {
    const status = typeof error === 'object' && error !== null && 'httpStatusCode' in error
        ? error.httpStatusCode
        : undefined;
    if (status === 404) {
        return new Error(`kubectl ${version} for linux/${arch} not found at ${url}`, { cause: error });
    }
    return new Error(`Failed to download kubectl ${version} from ${url}: ${(0,errors/* errorMessage */.g)(error)}`, {
        cause: error
    });
}
function hasCode(error, ...codes) {
    return (typeof error === 'object' &&
        error !== null &&
        'code' in error &&
        typeof error.code === 'string' &&
        codes.includes(error.code));
}
async function sha256File(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}

// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(7242);
;// CONCATENATED MODULE: ./src/kube/errors.ts
/**
 * How Kubernetes API failures are classified and explained. Pure: an API error is recognised by its
 * shape (client-node's ApiException carries a numeric `code`, the `body` and the response `headers`),
 * so this module needs no client library.
 */

/** A server's Retry-After is honoured up to this long. */
const errors_MAX_RETRY_AFTER_MS = 30_000;
function asApiError(error) {
    const e = error;
    return error instanceof Error && typeof e?.code === 'number' && 'body' in error
        ? e
        : undefined;
}
/** The HTTP status of a Kubernetes API error, if it is one. */
function kubeStatus(error) {
    return asApiError(error)?.code;
}
/**
 * For retry(): false to stop, true to back off, or the ms the server asked us to wait. Retried:
 * 429 and 5xx (honouring Retry-After), dropped connections, and 409 when `retryConflicts`.
 */
function isRetryableKubeError(error, retryConflicts) {
    const api = asApiError(error);
    if (api) {
        if (api.code === 409)
            return retryConflicts;
        if (api.code !== 429 && api.code < 500)
            return false;
        const after = Number(api.headers?.['retry-after']);
        return Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, errors_MAX_RETRY_AFTER_MS) : true;
    }
    const code = error?.code;
    if (typeof code === 'string' &&
        /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET)$/.test(code)) {
        return true;
    }
    return /socket hang up|ECONNRESET|ETIMEDOUT|timed out|Premature close/i.test((0,errors/* errorMessage */.g)(error));
}
/** One line for an API error: the status and the server's message, not the raw dump. */
function describeKubeError(error) {
    const api = asApiError(error);
    if (!api)
        return (0,errors/* errorMessage */.g)(error);
    const body = api.body;
    let message = typeof body === 'object' && typeof body?.message === 'string' ? body.message : '';
    if (typeof body === 'string') {
        try {
            message = String(JSON.parse(body).message ?? body);
        }
        catch {
            message = body; // Not JSON: keep the text as it came.
        }
    }
    return `HTTP ${api.code}${message ? `: ${message.slice(0, 500)}` : ''}`;
}
/**
 * 401 after a fresh token, or 403: the token is fine but EKS does not let this principal in. Names
 * the caller and gives the access-entry commands that fix it.
 */
function accessDeniedError(error, p) {
    const principal = p.caller ? principalArn(p.caller) : '<role ARN>';
    const partition = /^arn:([^:]+):/.exec(p.caller ?? '')?.[1] ?? 'aws';
    const where = `--region ${p.region} --cluster-name ${p.cluster} --principal-arn ${principal}`;
    return new Error([
        `The Kubernetes API of EKS cluster '${p.cluster}' refused ${p.caller ?? 'the caller'} ` +
            `(${p.label}: ${describeKubeError(error)}).`,
        'EKS lets an IAM principal into the cluster only through an access entry ' +
            '(or the legacy aws-auth ConfigMap).',
        `Give ${principal} an access entry with cluster-admin rights, e.g.:`,
        `  aws eks create-access-entry ${where}`,
        `  aws eks associate-access-policy ${where} --policy-arn ` +
            `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster`
    ].join('\n'), { cause: error });
}
/** arn:aws:sts::A:assumed-role/R/S → arn:aws:iam::A:role/R, the ARN an access entry names. */
function principalArn(arn) {
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
    return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

;// CONCATENATED MODULE: ./src/kube/kubeconfig.ts
/**
 * The kubeconfig for kubectl: built in memory from DescribeCluster and a static EKS token, and
 * written only to a private temp file (facts §2.2), never to ~/.kube/config.
 */





/** Owner read/write only: the file holds a bearer token. */
const FILE_MODE = 0o600;
/**
 * Pure: the kubeconfig of facts §2.2. The cluster name names the cluster, context and user;
 * `caData` is already base64 from DescribeCluster and goes in unchanged.
 */
function buildKubeConfig(cluster, token) {
    const name = cluster.name;
    return {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
            { name, cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.caData } }
        ],
        contexts: [{ name, context: { cluster: name, user: name } }],
        'current-context': name,
        preferences: {},
        users: [{ name, user: { token } }]
    };
}
/** YAML text of a kubeconfig. Long lines stay unfolded so the token and CA remain one scalar. */
function renderKubeConfig(doc) {
    return js_yaml/* default.dump */.Ay.dump(doc, { lineWidth: -1, noRefs: true });
}
/**
 * Writes a new file `eks-cni-kubeconfig-<random>.yaml` under `dir` (normally RUNNER_TEMP) and
 * returns its path. The file is created with mode 0600 and O_EXCL, so it is never readable by
 * others, not even between creation and a chmod, and an existing file or symlink is never reused.
 */
async function writeKubeconfigFile(dir, content) {
    const path = (0,external_node_path_.join)(dir, `eks-cni-kubeconfig-${(0,external_node_crypto_.randomBytes)(8).toString('hex')}.yaml`);
    await writeNewFile(path, content, 'Failed to write the kubeconfig');
    return path;
}
/**
 * Replaces the content of an existing kubeconfig (token refresh), keeping 0600. The new content
 * goes to a fresh 0600 file that is then renamed over the old one, so a kubectl reading at that
 * moment sees either the old or the new token, never a half-written file.
 */
async function rewriteKubeconfigFile(path, content) {
    let stats;
    try {
        stats = await (0,promises_.lstat)(path);
    }
    catch (error) {
        throw new Error(`Cannot refresh the kubeconfig ${path}: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
    if (!stats.isFile())
        throw new Error(`Cannot refresh the kubeconfig ${path}: not a regular file`);
    const staging = `${path}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.tmp`;
    await writeNewFile(staging, content, 'Failed to refresh the kubeconfig');
    try {
        await (0,promises_.rename)(staging, path);
    }
    catch (error) {
        await removeKubeconfigFile(staging);
        throw new Error(`Failed to refresh the kubeconfig ${path}: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
}
/** Deletes the kubeconfig; a file that is already gone is fine. */
async function removeKubeconfigFile(path) {
    try {
        await (0,promises_.unlink)(path);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return;
        throw new Error(`Failed to delete the kubeconfig ${path}: ${(0,errors/* errorMessage */.g)(error)}`, {
            cause: error
        });
    }
}
/** Creates `path` exclusively with mode 0600 and writes `content`; removes it again on failure. */
async function writeNewFile(path, content, context) {
    let handle;
    try {
        handle = await (0,promises_.open)(path, 'wx', FILE_MODE);
    }
    catch (error) {
        throw new Error(`${context} ${path}: ${(0,errors/* errorMessage */.g)(error)}`, { cause: error });
    }
    try {
        await handle.writeFile(content, 'utf8');
        await handle.close();
    }
    catch (error) {
        await handle.close().catch(() => undefined);
        await removeKubeconfigFile(path);
        throw new Error(`${context} ${path}: ${(0,errors/* errorMessage */.g)(error)}`, { cause: error });
    }
}

;// CONCATENATED MODULE: ./src/kube/client.ts
/**
 * The one door to the Kubernetes API (the only importer of @kubernetes/client-node outside the
 * manifest parser). A KubeConfig built in memory, a bearer token from the EKS token source on every
 * request, one retry policy for every call, and resource metadata known up front so reads and
 * applies cost no discovery round trip.
 */






/** "Kind/namespace/name" for messages and maps. */
function refKey(ref) {
    return [ref.kind, ref.namespace, ref.name].filter(Boolean).join('/');
}
/** The ref of an object from a manifest or a response. */
function refOf(object) {
    return {
        apiVersion: object.apiVersion ?? 'v1',
        kind: object.kind ?? '',
        name: object.metadata?.name ?? '',
        namespace: object.metadata?.namespace
    };
}
/**
 * Resource metadata of the built-in kinds a VPC CNI manifest holds (stable since Kubernetes 1.16),
 * so the first request to the cluster is the read or the apply itself.
 */
const BUILT_IN = {
    v1: [
        ['ServiceAccount', 'serviceaccounts', true],
        ['ConfigMap', 'configmaps', true],
        ['Service', 'services', true],
        ['Pod', 'pods', true],
        ['Node', 'nodes', false],
        ['Namespace', 'namespaces', false]
    ],
    'apps/v1': [
        ['DaemonSet', 'daemonsets', true],
        ['Deployment', 'deployments', true]
    ],
    'rbac.authorization.k8s.io/v1': [
        ['ClusterRole', 'clusterroles', false],
        ['ClusterRoleBinding', 'clusterrolebindings', false],
        ['Role', 'roles', true],
        ['RoleBinding', 'rolebindings', true]
    ],
    'apiextensions.k8s.io/v1': [['CustomResourceDefinition', 'customresourcedefinitions', false]],
    // Not built in, but its CRD has had these names in every VPC CNI release; knowing them lets the
    // first ENIConfig list go out without discovery (and answer [] when the CRD is not there yet).
    'crd.k8s.amazonaws.com/v1alpha1': [['ENIConfig', 'eniconfigs', false]]
};
/** KubernetesObjectApi whose discovery cache can be filled from what we already know. */
class PrimedObjectApi extends dist/* KubernetesObjectApi */.e1Y {
    learn(apiVersion, kind, plural, namespaced) {
        const cached = this.apiVersionResourceCache[apiVersion] ??
            { groupVersion: apiVersion, resources: [] };
        if (!cached.resources.some((r) => r.kind === kind)) {
            const resource = {
                kind,
                name: plural,
                namespaced,
                singularName: kind.toLowerCase(),
                verbs: []
            };
            cached.resources.push(resource);
        }
        this.apiVersionResourceCache[apiVersion] = cached;
    }
}
/** Builds the client for one cluster. Nothing is sent until the first call. */
function createKubeClient(options) {
    const api = makeObjectApi(options);
    for (const [apiVersion, kinds] of Object.entries(BUILT_IN)) {
        for (const [kind, plural, namespaced] of kinds)
            api.learn(apiVersion, kind, plural, namespaced);
    }
    const call = callWith(options);
    return {
        read: (ref) => call(`read ${refKey(ref)}`, async () => {
            try {
                return (await api.read({
                    apiVersion: ref.apiVersion,
                    kind: ref.kind,
                    metadata: { name: ref.name, namespace: ref.namespace }
                }));
            }
            catch (error) {
                if (kubeStatus(error) === 404)
                    return undefined;
                throw error;
            }
        }),
        list: (apiVersion, kind, namespace, labelSelector) => call(`list ${kind}`, async () => {
            try {
                const list = await api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
                return list.items;
            }
            catch (error) {
                if (kubeStatus(error) === 404)
                    return [];
                throw error;
            }
        }),
        apply: (object, applyOptions = {}) => call(`apply ${refKey(refOf(object))}`, () => api.patch(object, undefined, applyOptions.dryRun ? 'All' : undefined, constants/* FIELD_MANAGER */.vy, true, dist/* PatchStrategy */.Qve.ServerSideApply), { retryConflicts: true }),
        learnCrds(crds) {
            for (const crd of crds) {
                const spec = crd.spec;
                if (!spec?.group || !spec.names?.kind || !spec.names.plural)
                    continue;
                for (const version of spec.versions ?? []) {
                    if (version.served === false)
                        continue;
                    api.learn(`${spec.group}/${version.name}`, spec.names.kind, spec.names.plural, spec.scope === 'Namespaced');
                }
            }
        }
    };
}
/**
 * The in-memory KubeConfig: the same cluster and CA as the kubeconfig file, but the user carries no
 * token. An authenticator asks the token source on each request, so a token that is about to expire
 * is replaced without rebuilding anything.
 */
function makeObjectApi(options) {
    const doc = buildKubeConfig(options.cluster, '');
    const cluster = doc.clusters[0];
    const userName = doc.users[0].name;
    const kc = new dist/* KubeConfig */.ypW();
    kc.loadFromOptions({
        clusters: [
            {
                name: cluster.name,
                server: cluster.cluster.server,
                caData: cluster.cluster['certificate-authority-data'],
                skipTLSVerify: false
            }
        ],
        users: [{ name: userName }],
        contexts: [{ name: doc.contexts[0].name, cluster: cluster.name, user: userName }],
        currentContext: doc.contexts[0].name
    });
    const authenticator = {
        isAuthProvider: (user) => user.name === userName,
        async applyAuthentication(_user, opts) {
            const token = await options.tokens.get();
            opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
        }
    };
    kc.addAuthenticator(authenticator);
    return kc.makeApiClient(PrimedObjectApi);
}
/** A request that got no answer in this long is abandoned and retried. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Wraps each call: one re-mint after a 401 (the token may have expired mid-run), retries with
 * jittered backoff on 429/5xx (honouring Retry-After), connection errors and, for applies, 409;
 * errors that end the run explain themselves.
 */
function callWith(options) {
    return async (label, fn, how = {}) => {
        let reminted = false;
        try {
            return await retry(async () => {
                try {
                    return await withTimeout(fn(), label);
                }
                catch (error) {
                    if (kubeStatus(error) !== 401 || reminted)
                        throw error;
                    reminted = true;
                    options.tokens.invalidate();
                    return await withTimeout(fn(), label);
                }
            }, {
                label: `kube: ${label}`,
                attempts: 8,
                retryable: (error) => isRetryableKubeError(error, how.retryConflicts === true),
                deadline: options.deadline,
                sleep: options.sleep,
                onRetry: options.onRetry
            });
        }
        catch (error) {
            const status = kubeStatus(error);
            if (status === 401 || status === 403) {
                const caller = await options.callerArn().catch(() => undefined);
                throw accessDeniedError(error, {
                    label,
                    caller,
                    cluster: options.cluster.name,
                    region: options.region
                });
            }
            throw new Error(`Kubernetes API: ${label} failed: ${describeKubeError(error)}`, {
                cause: error
            });
        }
    };
}
function withTimeout(promise, label) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`${label}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`), {
            code: 'ETIMEDOUT'
        })), REQUEST_TIMEOUT_MS);
        timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

;// CONCATENATED MODULE: ./src/kube/apply.ts
/**
 * Server-side apply of the edited manifest and of the ENIConfigs, each batch in parallel, and what
 * each apply changed: an object that did not exist was created; one whose resourceVersion moved was
 * configured; one whose resourceVersion stayed is unchanged (the API server keeps it when an apply
 * changes nothing, which is what makes a second run a no-op).
 */

/** Whether an object is a CustomResourceDefinition. */
function isCrd(object) {
    return (object.kind === 'CustomResourceDefinition' &&
        object.apiVersion?.startsWith('apiextensions.k8s.io/') === true);
}
/**
 * Applies every object of the manifest at once: CRDs and the rest do not depend on each other (the
 * DaemonSet does not need the ENIConfig kind to be served; only ENIConfigs do, and they come after
 * the CRDs are Established). Results are in manifest order.
 */
async function applyManifest(kube, objects, live, options = {}) {
    // Resource paths of the manifest's own CRDs, so their custom resources need no discovery.
    kube.learnCrds(objects.filter(isCrd));
    return applyAll(kube, objects, live, options);
}
/** Applies the ENIConfigs, all at once. Call after their CRD is Established. */
async function applyEniConfigs(kube, eniConfigs, live, options = {}) {
    return applyAll(kube, eniConfigs, live, options);
}
/** True when any apply created or changed something. */
function anyChange(applied) {
    return applied.some((a) => a.change !== 'unchanged');
}
async function applyAll(kube, objects, live, options) {
    return Promise.all(objects.map(async (object) => {
        const ref = refOf(object);
        const key = refKey(ref);
        const applied = await kube.apply(object, { dryRun: options.dryRun });
        return { ref, key, change: changeOf(live.versions.get(key), applied), object: applied };
    }));
}
/** Compares the stamps read before the apply with the object the apply returned. */
function changeOf(before, after) {
    if (!before)
        return 'created';
    return before.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
}

;// CONCATENATED MODULE: ./src/kube/live.ts
/**
 * What the cluster holds before we touch it, read in one parallel batch: the objects the apply will
 * write (their resourceVersions decide `changed`), the running aws-node (its image says which CNI
 * version runs) and the existing ENIConfigs.
 */



/** API version and kind of the ENIConfig custom resource. */
const ENI_CONFIG = {
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    kind: 'ENIConfig'
};
/** The aws-node DaemonSet's ref. */
const AWS_NODE_REF = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    namespace: constants/* AWS_NODE */.h$.namespace,
    name: constants/* AWS_NODE */.h$.name
};
/**
 * The objects every official manifest since v1.11 consists of. Read before the manifest is known
 * (when the version comes from the cluster), so the reads need not wait for the download.
 */
const STANDARD_REFS = [
    crdRef('eniconfigs.crd.k8s.amazonaws.com'),
    crdRef('policyendpoints.networking.k8s.aws'),
    { apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'kube-system', name: 'aws-node' },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'amazon-vpc-cni' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'aws-node' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: 'aws-node' },
    AWS_NODE_REF
];
/** Reads `refs` (always including aws-node) and lists the ENIConfigs, all at once. */
async function readLiveState(kube, refs) {
    const wanted = uniqueRefs([AWS_NODE_REF, ...refs]);
    const [objects, eniConfigs] = await Promise.all([
        Promise.all(wanted.map((ref) => kube.read(ref))),
        kube.list(ENI_CONFIG.apiVersion, ENI_CONFIG.kind)
    ]);
    const versions = new Map();
    wanted.forEach((ref, i) => versions.set(refKey(ref), versionOf(objects[i])));
    for (const config of eniConfigs)
        versions.set(refKey(refOf(config)), versionOf(config));
    const awsNode = objects[0];
    return { versions, awsNode, runningCniVersion: runningVersion(awsNode), eniConfigs };
}
/**
 * Reads the objects of the manifest that the first batch did not cover (a custom manifest's extra
 * objects); for an official manifest this sends nothing.
 */
async function completeLiveState(kube, live, objects) {
    const missing = uniqueRefs(objects.map(refOf)).filter((ref) => !live.versions.has(refKey(ref)));
    const found = await Promise.all(missing.map((ref) => kube.read(ref)));
    missing.forEach((ref, i) => live.versions.set(refKey(ref), versionOf(found[i])));
    return live;
}
/** The stamps `changed` is decided by. */
function versionOf(object) {
    if (!object)
        return undefined;
    return {
        resourceVersion: object.metadata?.resourceVersion,
        generation: object.metadata?.generation
    };
}
function runningVersion(ds) {
    const image = ds?.spec?.template?.spec?.containers.find((c) => c.name === constants/* AWS_NODE */.h$.name)?.image;
    return image ? cniVersionFromImage(image) : undefined;
}
function crdRef(name) {
    return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
}
function uniqueRefs(refs) {
    const seen = new Set();
    return refs.filter((ref) => !seen.has(refKey(ref)) && seen.add(refKey(ref)) !== undefined);
}

;// CONCATENATED MODULE: ./src/kube/wait.ts
/**
 * The two waits: until the manifest's CRDs are Established (custom resources of a CRD that is not
 * yet served are refused), and until aws-node has rolled out. Both first look at the object the
 * apply returned, so an unchanged cluster costs no extra request; then they poll with a growing
 * interval until the deadline.
 */


/** Poll intervals: quick at first (a CRD is usually Established within a second), then 2 s. */
const POLL_MS = [100, 200, 400, 800, 1500, 2000];
/** Whether a CRD's status says Established=True. */
function isEstablished(crd) {
    const conditions = crd.status?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}
/** Waits until every CRD in `crds` (as returned by the apply) is Established. */
async function waitForCrdsEstablished(kube, crds, options) {
    await Promise.all(crds.map((crd) => poll(crd, (ref) => kube.read(refOf(ref)), isEstablished, () => `CustomResourceDefinition ${crd.metadata?.name} is not Established`, options)));
}
/** Reads the rollout counters from a DaemonSet's status. */
function rolloutStatus(ds) {
    const d = ds;
    return {
        generation: d.metadata?.generation ?? 0,
        observedGeneration: d.status?.observedGeneration ?? 0,
        desired: d.status?.desiredNumberScheduled ?? 0,
        updated: d.status?.updatedNumberScheduled ?? 0,
        available: d.status?.numberAvailable ?? 0
    };
}
/** kubectl rollout status's rule: the controller saw this generation and every pod is new and available. */
function isRolledOut(ds) {
    const s = rolloutStatus(ds);
    return (s.observedGeneration >= s.generation && s.updated === s.desired && s.available === s.desired);
}
/**
 * Waits until the DaemonSet (as returned by the apply) has rolled out. On timeout the error gives
 * the counts and, where the cluster reports aws-node pods, the nodes still on the old version.
 */
async function waitForRollout(kube, ds, options) {
    const ref = refOf(ds);
    let last = '';
    const done = await poll(ds, () => kube.read(ref), (current) => {
        const s = rolloutStatus(current);
        const line = `${refKey(ref)}: ${s.updated} of ${s.desired} pods updated, ${s.available} available`;
        if (line !== last)
            options.onProgress?.(line);
        last = line;
        return isRolledOut(current);
    }, async (current) => {
        const s = rolloutStatus(current ?? ds);
        const stale = await nodesNotUpdated(kube, current ?? ds).catch(() => []);
        return (`${refKey(ref)} did not roll out within timeout-seconds (${options.timeoutSeconds} s): ` +
            `${s.updated} of ${s.desired} pods updated, ${s.available} available, ` +
            `observed generation ${s.observedGeneration} of ${s.generation}` +
            (stale.length > 0 ? `. Nodes not yet updated: ${stale.join(', ')}` : ''));
    }, options);
    return rolloutStatus(done);
}
/** Nodes whose aws-node pod is not of the DaemonSet's current generation (empty if unknown). */
async function nodesNotUpdated(kube, ds) {
    const d = ds;
    const selector = Object.entries(d.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
    const generation = String(d.metadata?.generation ?? '');
    const pods = await kube.list('v1', 'Pod', d.metadata?.namespace, selector);
    return pods
        .filter((p) => p.metadata?.labels?.['pod-template-generation'] !== generation)
        .map((p) => p.spec?.nodeName ?? p.metadata?.name ?? '?')
        .sort();
}
/**
 * Checks `first` (the apply's answer), then re-reads until `ok` or the deadline. The failure
 * message is built from the last object seen.
 */
async function poll(first, read, ok, failure, options) {
    const sleep = options.sleep ?? defaultSleep;
    const now = options.now ?? Date.now;
    let current = first;
    for (let i = 0;; i++) {
        if (current && ok(current))
            return current;
        const wait = POLL_MS[Math.min(i, POLL_MS.length - 1)];
        if (now() + wait >= options.deadline)
            throw new Error(await failure(current));
        await sleep(wait);
        current = (await read(current ?? first)) ?? current;
    }
}

;// CONCATENATED MODULE: ./src/steps.ts
/**
 * The steps run() strings together, each a thin layer over the module that does the work. This
 * module imports the AWS SDK and client-node, so main loads it with import() only after the inputs
 * are valid: parsing those libraries is most of the cold start, and a typo should fail fast.
 */




















/** OIDC → STS when a role is given, else the SDK's default chain. */
async function getCredentials(inputs) {
    if (inputs.roleToAssume) {
        const { assumedRoleArn, ...credentials } = await assumeRoleWithOidc({
            sts: createStsClient(inputs.region),
            getIDToken: (audience) => core/* getIDToken */.V9(audience),
            roleArn: inputs.roleToAssume,
            sessionName: inputs.roleSessionName,
            durationSeconds: inputs.roleDurationSeconds,
            audience: inputs.audience
        });
        core/* info */.pq(`Assumed ${assumedRoleArn}`);
        return { credentials, callerArn: async () => assumedRoleArn };
    }
    const credentials = await defaultCredentials(inputs.region);
    core/* info */.pq('Using the AWS SDK default credential chain');
    // Only asked when the cluster refuses us, to name the principal in the error.
    const callerArn = async (sts) => (await sts.send(new dist_cjs/* GetCallerIdentityCommand */.zI({}))).Arn;
    return { credentials, callerArn };
}
/** DescribeCluster (ACTIVE or UPDATING, or a clear error). */
async function describeEksCluster(eks, inputs) {
    const cluster = await describeCluster(eks, inputs.clusterName, inputs.region);
    core/* info */.pq(`${cluster.arn}: ${cluster.status}, Kubernetes ${cluster.version}, ${cluster.vpcId}, ` +
        `cluster security group ${cluster.clusterSecurityGroupId}`);
    return cluster;
}
/** EKS tokens minted in-process, masked the moment they exist, re-minted before they expire. */
function createTokenSource(credentials, inputs) {
    return new EksTokenSource(async () => {
        const token = await mintEksToken({
            credentials,
            region: inputs.region,
            clusterName: inputs.clusterName
        });
        core/* setSecret */.Pq(token.token);
        return token;
    });
}
/** Writes the 0600 kubeconfig (CA and static token) into `dir`. */
async function writeKubeconfig(dir, cluster, tokens) {
    const path = await writeKubeconfigFile(dir, renderKubeConfig(buildKubeConfig(cluster, await tokens.get())));
    core/* info */.pq(`Wrote ${path} (mode 0600)`);
    return path;
}
/** Rewrites the kubeconfig with a token minted now, so later steps get its whole lifetime. */
async function refreshKubeconfig(path, cluster, tokens) {
    tokens.invalidate();
    await rewriteKubeconfigFile(path, renderKubeConfig(buildKubeConfig(cluster, await tokens.get())));
}
/** The Kubernetes API client for the cluster; retries stop at `deadline`. */
function connect(p) {
    return createKubeClient({
        cluster: p.cluster,
        tokens: p.tokens,
        region: p.inputs.region,
        callerArn: () => p.identity.callerArn(p.sts),
        deadline: p.deadline,
        onRetry: (message) => core/* info */.pq(message)
    });
}
/** Subnets and, when given, security groups, checked against the cluster's VPC in parallel. */
async function resolveNetwork(ec2, inputs, cluster) {
    const [zones, securityGroups] = await Promise.all([
        resolveSubnets(ec2, [...inputs.subnets], cluster.vpcId),
        inputs.securityGroups
            ? resolveSecurityGroups(ec2, [...inputs.securityGroups], cluster.vpcId)
            : [cluster.clusterSecurityGroupId]
    ]);
    return { zones, securityGroups };
}
/** Logs what resolveNetwork found (when its group is open, not when it finished). */
function logNetwork(network) {
    for (const z of network.zones)
        core/* info */.pq(`${z.zone} (${z.zoneId}): ${z.subnetId} ${z.cidr}`);
    core/* info */.pq(`Security groups: ${network.securityGroups.join(', ')}`);
    return network;
}
/** The cluster before the change: the standard CNI objects, aws-node and the ENIConfigs. */
function readClusterState(kube) {
    return readLiveState(kube, STANDARD_REFS);
}
/** Logs what readClusterState found. */
function logClusterState(live) {
    core/* info */.pq(live.awsNode
        ? `aws-node runs VPC CNI ${live.runningCniVersion ?? '(version unknown)'}`
        : 'aws-node is not installed');
    core/* info */.pq(`${live.eniConfigs.length} ENIConfig(s) exist`);
    return live;
}
/** Starts loading the manifest at once when its version does not depend on the cluster. */
function startManifest(inputs) {
    if (!inputs.manifest && !inputs.cniVersion)
        return undefined;
    return loadCniManifest(inputs, inputs.cniVersion ?? LATEST_KNOWN_CNI_VERSION);
}
function loadCniManifest(inputs, cniVersion) {
    const m = inputs.manifest;
    const source = resolveManifestSource({
        manifest: m ? ('url' in m ? m.url : m.path) : undefined,
        manifestSha256: inputs.manifestSha256,
        cniVersion,
        baseUrl: inputs.manifestBaseUrl,
        region: inputs.region
    });
    return loadManifest(source);
}
/** The manifest with aws-node edited, and the cluster reads completed for its objects. */
async function prepareManifest(inputs, early, live, kube) {
    const version = inputs.cniVersion ?? live.runningCniVersion ?? LATEST_KNOWN_CNI_VERSION;
    const loaded = await (early ?? loadCniManifest(inputs, version));
    const r = inputs.imageRegistry;
    const registry = r.mode === 'keep'
        ? undefined
        : r.mode === 'custom'
            ? r.registry
            : ecrRegistryForRegion(inputs.region);
    const objects = editAwsNode(loaded, inputs.settings, registry);
    await completeLiveState(kube, live, objects);
    const { images } = awsNodeEnv(objects.find(isAwsNodeDaemonSet));
    const cniImage = images.find((i) => /\/amazon-k8s-cni:/.test(i));
    const cniVersion = (cniImage && cniVersionFromImage(cniImage)) || version;
    core/* info */.pq(`${objects.length} objects, VPC CNI ${cniVersion}; images:\n  ${images.join('\n  ')}`);
    return { objects, images, cniVersion };
}
/** Applies the manifest (one parallel batch) and waits until its CRDs are Established. */
async function applyCniManifest(kube, objects, live, waitOptions) {
    const applied = logApplied(await applyManifest(kube, objects, live));
    const crds = applied.filter((a) => isCrd(a.object)).map((a) => a.object);
    // Always awaited, even with wait: false: ENIConfigs are refused until their CRD is served.
    await waitForCrdsEstablished(kube, crds, waitOptions);
    return applied;
}
/** Builds and applies one ENIConfig per zone; returns them as the `eni-configs` output lists them. */
async function applyEniConfigSet(kube, network, inputs, live) {
    const configs = buildEniConfigs(network.zones, network.securityGroups, inputs.eniConfigLabelDef);
    const applied = logApplied(await applyEniConfigs(kube, configs, live));
    const outputs = configs.map((c) => {
        const zone = network.zones.find((z) => z.subnetId === c.spec.subnet);
        return {
            name: c.metadata.name,
            zone: zone?.zone ?? '',
            zoneId: zone?.zoneId ?? '',
            subnet: c.spec.subnet,
            securityGroups: [...network.securityGroups]
        };
    });
    return { applied, outputs };
}
/** Waits for aws-node's rollout unless `wait` is false; returns one line for the summary. */
async function awaitAwsNode(kube, applied, wait, options) {
    const ds = applied.find((a) => isAwsNodeDaemonSet(a.object))?.object;
    let line = 'The aws-node rollout was not awaited (wait: false).';
    if (wait && ds) {
        const s = await waitForRollout(kube, ds, options);
        line = `aws-node rolled out: ${s.updated} of ${s.desired} pods updated and available.`;
    }
    core/* info */.pq(line);
    return line;
}
/** kubectl through the tool cache, unless install-kubectl is false. */
async function installKubectlIfWanted(inputs, clusterVersion) {
    if (!inputs.installKubectl)
        return undefined;
    return installKubectl({
        version: inputs.kubectlVersion,
        clusterVersion,
        mirror: inputs.kubectlMirror
    });
}
function logApplied(applied) {
    for (const a of applied)
        core/* info */.pq(`${a.key} ${a.change}`);
    return applied;
}


/***/ })

};
