// AWS VPC facts the vpc mode needs (pure): instance ENI limits and the EKS max-pods formula.

/** ENIs per instance and IPv4 addresses per ENI (EC2 "IP addresses per network interface per instance type"). */
export const INSTANCE_TYPES: Readonly<Record<string, { readonly enis: number; readonly ipsPerEni: number }>> = {
  't3.nano': { enis: 2, ipsPerEni: 2 },
  't3.micro': { enis: 2, ipsPerEni: 2 },
  't3.small': { enis: 3, ipsPerEni: 4 },
  't3.medium': { enis: 3, ipsPerEni: 6 },
  't3.large': { enis: 3, ipsPerEni: 12 },
  't3.xlarge': { enis: 4, ipsPerEni: 15 },
  'm5.large': { enis: 3, ipsPerEni: 10 },
  'm5.xlarge': { enis: 4, ipsPerEni: 15 },
  'c5.large': { enis: 3, ipsPerEni: 10 },
};

/**
 * The EKS max-pods formula (amazon-eks-ami eni-max-pods.txt): ENIs × (IPs per ENI − 1) + 2.
 * −1: each ENI's primary IP is not handed to pods; +2: aws-node and kube-proxy run with hostNetwork and use
 * no secondary IP. podlab runs neither, so all max-pods pods may get secondary IPs (t3.medium: 17, two more than
 * the 15 secondary IPs a real t3.medium can hold); a lab's own hostNetwork pods count toward max-pods, as on EKS,
 * and take no secondary IP.
 */
export function maxPods(instanceType: string): number {
  const it = INSTANCE_TYPES[instanceType];
  if (!it) throw new Error(`unknown instance type "${instanceType}"`);
  return it.enis * (it.ipsPerEni - 1) + 2;
}

export function maxPodsFormula(instanceType: string): string {
  const it = INSTANCE_TYPES[instanceType]!;
  return `${instanceType} holds ${maxPods(instanceType)} pods (EKS max-pods = ${it.enis} ENIs × (${it.ipsPerEni} IPs − 1) + 2)`;
}

/** Offsets inside a VPC subnet: AWS reserves .0–.3 and the last; .1 is the VPC router. */
export const SUBNET_ROUTER = 1;
export const NODE_PRIMARY_OFFSET = 10;
export const FIRST_POD_OFFSET = 11;
export const HOST_OFFSET = 10;
/** The AWS CNI's link-local gateway for pods. */
export const POD_GATEWAY = '169.254.1.1';
