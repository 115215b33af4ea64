#!/usr/bin/env bash
# The origin document's network.sh (scripts/network.sh, run by Terraform's null_resource), step by
# step, so the action can be measured against it: update-kubeconfig into a mktemp file, apply the
# edited VPC CNI manifest, create one ENIConfig per zone, remove the kubeconfig.
#
# Differences from the origin, all deliberate:
# - `set -euo pipefail`, so a benchmark never times a silent failure (the origin has none).
# - The origin calls mktemp + update-kubeconfig twice (a copy-paste slip that leaks the first
#   file); this runs it once.
# - The manifest path, the region (ENIConfig names <region>a/b/c; the origin hard-codes
#   ap-northeast-2) and the kubectl binary come from the environment.
# - The role is assumed before this script runs, as in the origin, where "AWS Authentication
#   (Assume role)" is a pipeline step of its own: the credentials arrive as AWS_* variables.
#
# Environment:
#   CLUSTER_NAME   EKS cluster name
#   SUBNETS        comma-separated pod subnet IDs for zones a, b and c
#   CLUSTER_SG     security group for the ENIConfigs
#   MANIFEST       path of an aws-k8s-cni.yaml that already carries the origin's env edits
#   AWS_REGION or AWS_DEFAULT_REGION, and AWS credentials (AWS_ACCESS_KEY_ID, ...)
#   KUBECTL        kubectl binary (optional, default kubectl)
# Against the test bed, point only EKS at it (AWS_ENDPOINT_URL_EKS): `aws eks get-token`, the
# kubeconfig's exec plugin, must presign for the real STS host, as EKS only accepts that.
set -euo pipefail

: "${CLUSTER_NAME:?CLUSTER_NAME is required}"
: "${SUBNETS:?SUBNETS is required (comma-separated pod subnet IDs)}"
: "${CLUSTER_SG:?CLUSTER_SG is required}"
: "${MANIFEST:?MANIFEST is required (path of the edited aws-k8s-cni.yaml)}"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:?AWS_REGION or AWS_DEFAULT_REGION is required}}"
KUBECTL="${KUBECTL:-kubectl}"

KUBE_CONFIG="$(mktemp)"
# The kubeconfig holds no secret (it runs `aws eks get-token`), but the origin removes it; so does
# this script, even when a step fails.
trap 'rm -f "${KUBE_CONFIG}"' EXIT

aws eks update-kubeconfig --name "${CLUSTER_NAME}" --kubeconfig "${KUBE_CONFIG}"

"${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" apply -f "${MANIFEST}"

# set up ENIConfig
subnet_a=$(echo "${SUBNETS}" | awk -F"," '{print $1}')
subnet_b=$(echo "${SUBNETS}" | awk -F"," '{print $2}')
subnet_c=$(echo "${SUBNETS}" | awk -F"," '{print $3}')

cat <<EOT | "${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" apply -f -
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: "${REGION}a"
spec:
  subnet: "${subnet_a}"
  securityGroups:
  - ${CLUSTER_SG}
EOT

cat <<EOT | "${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" apply -f -
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: "${REGION}b"
spec:
  subnet: "${subnet_b}"
  securityGroups:
  - ${CLUSTER_SG}
EOT

cat <<EOT | "${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" apply -f -
apiVersion: crd.k8s.amazonaws.com/v1alpha1
kind: ENIConfig
metadata:
  name: "${REGION}c"
spec:
  subnet: "${subnet_c}"
  securityGroups:
  - ${CLUSTER_SG}
EOT

# remove creds
rm "${KUBE_CONFIG}"
