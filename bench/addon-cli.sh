#!/usr/bin/env bash
# The CLI way of configuring custom networking on a managed vpc-cni add-on, for the benchmark's
# add-on comparison: the ENIConfigs with kubectl first (so no node runs custom networking without
# its zone's ENIConfig), then the settings through the add-on's configurationValues, then the waits.
#
# Environment:
#   CLUSTER_NAME   EKS cluster name
#   ENICONFIGS     path of a YAML file with one ENIConfig per zone
#   VALUES         path of a JSON file with the add-on's configurationValues (env, init.env)
#   AWS_REGION, AWS credentials, KUBECTL (optional, default kubectl); against the test bed only
#   EKS points at it (AWS_ENDPOINT_URL_EKS), as in baseline-origin.sh.
set -euo pipefail

: "${CLUSTER_NAME:?CLUSTER_NAME is required}"
: "${ENICONFIGS:?ENICONFIGS is required}"
: "${VALUES:?VALUES is required}"
KUBECTL="${KUBECTL:-kubectl}"

KUBE_CONFIG="$(mktemp)"
trap 'rm -f "${KUBE_CONFIG}"' EXIT

aws eks update-kubeconfig --name "${CLUSTER_NAME}" --kubeconfig "${KUBE_CONFIG}" >/dev/null
"${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" apply -f "${ENICONFIGS}"
aws eks update-addon --cluster-name "${CLUSTER_NAME}" --addon-name vpc-cni \
  --resolve-conflicts OVERWRITE --configuration-values "file://${VALUES}" >/dev/null
aws eks wait addon-active --cluster-name "${CLUSTER_NAME}" --addon-name vpc-cni
"${KUBECTL}" --kubeconfig "${KUBE_CONFIG}" rollout status daemonset/aws-node -n kube-system
