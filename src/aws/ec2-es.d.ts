/**
 * The EC2 client is imported from its ES module build, `dist-es`, which its package ships beside
 * the CommonJS one but does not name in an `exports` map, so the bundler would otherwise take the
 * CommonJS file. That file defines all 823 commands and 3,404 schemas at load (about 100 ms and
 * 70 MiB at every start). Importing each piece from its own file keeps the bundle (and the
 * bundler's work) to what the action uses. The types are the package's own; types are imported
 * from the package itself.
 */
declare module '@aws-sdk/client-ec2/dist-es/EC2Client.js' {
  export { EC2Client } from '@aws-sdk/client-ec2'
}
declare module '@aws-sdk/client-ec2/dist-es/commands/GetSubnetCidrReservationsCommand.js' {
  export { GetSubnetCidrReservationsCommand } from '@aws-sdk/client-ec2'
}
declare module '@aws-sdk/client-ec2/dist-es/pagination/DescribeInstanceTypesPaginator.js' {
  export { paginateDescribeInstanceTypes } from '@aws-sdk/client-ec2'
}
declare module '@aws-sdk/client-ec2/dist-es/pagination/DescribeNetworkInterfacesPaginator.js' {
  export { paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2'
}
declare module '@aws-sdk/client-ec2/dist-es/pagination/DescribeSecurityGroupsPaginator.js' {
  export { paginateDescribeSecurityGroups } from '@aws-sdk/client-ec2'
}
declare module '@aws-sdk/client-ec2/dist-es/pagination/DescribeSubnetsPaginator.js' {
  export { paginateDescribeSubnets } from '@aws-sdk/client-ec2'
}
