// Tests must never touch real AWS or a real cluster, or pick up a developer's credentials.
process.env.AWS_CONFIG_FILE = '/dev/null'
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
delete process.env.AWS_PROFILE
