"""Seeds one EKS cluster and its network/IAM surroundings into a running moto server.

Resources are created in-process through moto's backends (the same calls its HTTP layer makes;
~20x faster than boto3 round trips to the server, which cost ~35 ms each). The EKS fields moto
cannot set through the API (endpoint, CA, VPC id, cluster security group) are then edited in
place.
"""

import json
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.utilities.utils import get_partition

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
# The thumbprint GitHub documented; IAM ignores it for this provider nowadays but requires one.
GITHUB_THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"


def warm_up(region: str) -> None:
    """Does ahead of the first seed what it would do anyway: importing moto's EC2 models alone
    takes ~1.5 s. Runs in the background after the ready line."""
    from moto.ec2.models import ec2_backends
    from moto.eks.models import eks_backends
    from moto.iam.models import iam_backends

    ec2_backends[DEFAULT_ACCOUNT_ID][region]
    eks_backends[DEFAULT_ACCOUNT_ID][region]
    iam_backends[DEFAULT_ACCOUNT_ID][get_partition(region)]


def trust_policy(provider_arn: str, subjects: list[str]) -> dict[str, Any]:
    """The trust policy GitHub documents for configure-aws-credentials."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GITHUB_HOST}:aud": STS_AUDIENCE},
                    "StringLike": {f"{GITHUB_HOST}:sub": subjects},
                },
            }
        ],
    }


def _subnet(ec2: Any, vpc_id: str, cidr: str, zone: str, name: str) -> dict[str, str]:
    s = ec2.create_subnet(vpc_id=vpc_id, cidr_block=cidr, availability_zone=zone)
    ec2.create_tags([s.id], {"Name": name})
    return {"id": s.id, "zone": s.availability_zone, "zoneId": s.availability_zone_id, "cidr": cidr}


def _ensure_role(iam: Any, role_name: str, repo: str, subjects: list[str] | None) -> str:
    provider_arn = f"arn:{iam.partition}:iam::{iam.account_id}:oidc-provider/{GITHUB_HOST}"
    if provider_arn not in iam.open_id_providers:
        iam.create_open_id_connect_provider(
            url=GITHUB_ISSUER, thumbprint_list=[GITHUB_THUMBPRINT], client_id_list=[STS_AUDIENCE], tags=[]
        )
    try:
        # Several clusters share the role: the first seed's trust policy stays.
        return iam.get_role(role_name).arn
    except Exception:
        pass
    doc = json.dumps(trust_policy(provider_arn, subjects or [f"repo:{repo}:*"]))
    role = iam.create_role(
        role_name=role_name,
        assume_role_policy_document=doc,
        path="/",
        permissions_boundary=None,
        description="GitHub Actions deployer for the EKS CNI action",
        tags=[],
        max_session_duration=None,
    )
    return role.arn


def seed(spec: dict[str, Any]) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends
    from moto.eks.models import eks_backends
    from moto.iam.models import iam_backends

    region = spec["region"]
    name = spec["clusterName"]
    account = DEFAULT_ACCOUNT_ID
    # IAM is global per partition: China and GovCloud regions have their own roles and providers,
    # and every ARN in them starts arn:aws-cn: or arn:aws-us-gov:.
    partition = get_partition(region)
    ec2 = ec2_backends[account][region]
    iam = iam_backends[account][partition]
    eks = eks_backends[account][region]
    zones = [f"{region}{z}" for z in spec.get("zones") or ["a", "b", "c"]]

    vpc_id = ec2.create_vpc(cidr_block="10.0.0.0/16").id
    ec2.create_tags([vpc_id], {"Name": f"{name}-vpc"})
    # Custom networking puts pods in a secondary CIDR from the CG-NAT range, as AWS recommends.
    ec2.associate_vpc_cidr_block(vpc_id, "100.64.0.0/16", False)
    node = [_subnet(ec2, vpc_id, f"10.0.{i}.0/24", z, f"{name}-node-{z}") for i, z in enumerate(zones)]
    pod = [_subnet(ec2, vpc_id, f"100.64.{i * 32}.0/19", z, f"{name}-pod-{z}") for i, z in enumerate(zones)]
    sg_id = ec2.create_security_group(f"eks-cluster-sg-{name}", f"EKS cluster {name}", vpc_id).id

    other_vpc = ec2.create_vpc(cidr_block="10.1.0.0/16").id
    other_subnet = _subnet(ec2, other_vpc, "10.1.0.0/24", zones[0], f"{name}-other")["id"]
    other_sg = ec2.create_security_group(f"other-{name}", "outside the cluster VPC", other_vpc).id

    role_arn = _ensure_role(
        iam,
        spec.get("roleName") or "eks-cni-deployer",
        spec.get("githubRepo") or "octo-org/octo-repo",
        spec.get("oidcSubjects"),
    )
    cl = eks.create_cluster(
        name=name,
        role_arn=f"arn:{partition}:iam::{account}:role/eks-cluster-role",
        resources_vpc_config={"subnetIds": [s["id"] for s in node], "securityGroupIds": [sg_id]},
        version=spec["kubernetesVersion"],
    )
    cl.resources_vpc_config = dict(cl.resources_vpc_config or {})
    cl.resources_vpc_config.update(
        vpcId=vpc_id, clusterSecurityGroupId=sg_id, subnetIds=[s["id"] for s in node]
    )
    cl.endpoint = spec["endpoint"]
    cl.certificate_authority = {"data": spec["caData"]}
    # The cluster role's policies and any pod-subnet fill (node-group readiness checks).
    import moto_nodegroup

    nodegroup = moto_nodegroup.apply(spec, ec2, iam, pod)
    return {
        **nodegroup,
        "accountId": account,
        "vpcId": vpc_id,
        "nodeSubnets": node,
        "podSubnets": pod,
        "clusterSecurityGroupId": sg_id,
        "clusterArn": cl.arn,
        "roleArn": role_arn,
        "otherVpc": {"vpcId": other_vpc, "subnetId": other_subnet, "securityGroupId": other_sg},
    }


def set_cluster_status(spec: dict[str, Any]) -> dict[str, Any]:
    from moto.eks.models import eks_backends

    for account in list(eks_backends.keys()):
        clusters = eks_backends[account][spec["region"]].clusters
        if spec["clusterName"] in clusters:
            clusters[spec["clusterName"]].status = spec["status"]
            return {"ok": True}
    raise KeyError(f"no cluster {spec['clusterName']} in {spec['region']}")
