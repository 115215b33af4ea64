"""Test bed resources for the node-group readiness checks, applied after a seed.

- The cluster IAM role that DescribeCluster names (eks-cluster-role), with the AWS managed
  policies chosen (by default AmazonEKSClusterPolicy and AmazonEKSVPCResourceController; an empty
  list gives it none), so `aws iam list-attached-role-policies` answers as EKS users see it.
- Optionally, a pod subnet filled to a chosen level with network interfaces whose addresses are
  scattered over every /28 block but a chosen few, the way long-lived clusters fragment a subnet,
  so that few aligned /28 blocks remain for prefix delegation.
Both go through moto's backends, as the rest of the seed does.
"""

import ipaddress
import json
import random
from typing import Any

CLUSTER_ROLE = "eks-cluster-role"
DEFAULT_POLICIES = ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"]
EKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ],
}
# Secondary addresses per filler interface (an m5.large ENI holds 10; the count does not matter
# to the checks, only where the addresses are).
IPS_PER_ENI = 50


def ensure_cluster_role(iam: Any, policies: list[str] | None) -> str:
    """Creates the cluster role (once per moto) and attaches `policies` by name."""
    try:
        role = iam.get_role(CLUSTER_ROLE)
    except Exception:
        role = iam.create_role(
            role_name=CLUSTER_ROLE,
            assume_role_policy_document=json.dumps(EKS_TRUST),
            path="/",
            permissions_boundary=None,
            description="EKS cluster role",
            tags=[],
            max_session_duration=None,
        )
    for name in DEFAULT_POLICIES if policies is None else policies:
        arn = _aws_managed_policy(iam, name)
        iam.attach_role_policy(arn, CLUSTER_ROLE)
    return role.arn


def _aws_managed_policy(iam: Any, name: str) -> str:
    """Registers one AWS managed policy with moto's IAM from moto's own copy of AWS's policies (moto
    loads all of them only with MOTO_IAM_LOAD_MANAGED_POLICIES, which costs seconds per start)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy

    arn = f"arn:{iam.partition}:iam::aws:policy/{name}"
    if arn not in iam.managed_policies:
        # Decode only this policy's entry: the whole 4 MB document takes ~50 ms per start.
        key = f'"{name}":'
        at = aws_managed_policies_data.find(key)
        if at < 0:
            raise KeyError(f"moto knows no AWS managed policy {name}")
        data, _ = json.JSONDecoder().raw_decode(aws_managed_policies_data, at + len(key))
        policy = AWSManagedPolicy.from_data(name, iam.account_id, iam.region_name, data)
        iam.managed_policies[policy.arn] = policy
        arn = policy.arn
    return arn


def _free_block_indexes(blocks: int, free: int) -> set[int]:
    """`free` block indexes spread over the subnet, never the first or last (AWS-reserved)."""
    if free <= 0:
        return set()
    step = max(1, (blocks - 2) // free)
    return {1 + i * step for i in range(free) if 1 + i * step < blocks - 1}


def fill_subnet(ec2: Any, subnet_id: str, used_fraction: float, free_blocks: int) -> dict[str, Any]:
    """Fills the subnet: `used_fraction` of its usable addresses go to interfaces, spread so that
    every /28 block holds at least one except `free_blocks` of them. Deterministic."""
    subnet = ec2.get_subnet(subnet_id)
    net = ipaddress.ip_network(subnet.cidr_block)
    base = int(net.network_address)
    blocks = net.num_addresses // 16
    keep = _free_block_indexes(blocks, free_blocks)
    reserved = {base, base + 1, base + 2, base + 3, base + net.num_addresses - 1}
    usable = net.num_addresses - len(reserved)
    target = int(usable * used_fraction)
    rng = random.Random(subnet_id)
    taken_blocks = [b for b in range(blocks) if b not in keep]
    chosen: list[int] = []
    # One address in every block that must be taken, then the rest at random in those blocks.
    for b in taken_blocks:
        candidates = [a for a in range(base + b * 16, base + b * 16 + 16) if a not in reserved]
        chosen.append(rng.choice(candidates))
    already = set(chosen)
    rest = [
        a
        for b in taken_blocks
        for a in range(base + b * 16, base + b * 16 + 16)
        if a not in reserved and a not in already
    ]
    rng.shuffle(rest)
    chosen.extend(rest[: max(0, target - len(chosen))])
    addresses = [str(ipaddress.ip_address(a)) for a in chosen]
    enis = []
    for i in range(0, len(addresses), IPS_PER_ENI):
        eni = ec2.create_network_interface(
            subnet,
            addresses[i],
            private_ip_addresses=list(addresses[i : i + IPS_PER_ENI]),
            description="aws-K8S-i-0testbed filler",
            tags={"node.k8s.amazonaws.com/instance_id": "i-0testbedfiller"},
        )
        enis.append(eni.id)
    return {
        "subnetId": subnet_id,
        "usedIps": len(addresses),
        "interfaces": len(enis),
        "freeBlocks": len(keep),
    }


def apply(spec: dict[str, Any], ec2: Any, iam: Any, pod_subnets: list[dict[str, str]]) -> dict[str, Any]:
    """The seed's node-group part; returns what it made, for the seed result."""
    role_arn = ensure_cluster_role(iam, spec.get("clusterRolePolicies"))
    fills = []
    for fill in spec.get("podSubnetFill") or []:
        zone = fill.get("zone", "a")
        subnet = next(s for s in pod_subnets if s["zone"].endswith(zone))
        fills.append(
            fill_subnet(ec2, subnet["id"], float(fill.get("usedFraction", 0.5)), int(fill.get("freeBlocks", 0)))
        )
    return {"clusterRoleArn": role_arn, "podSubnetFills": fills}
