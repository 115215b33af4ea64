import { pathWithVenv } from '../../testbed/python-tools.js'

// Tests must never touch real AWS or a real cluster, or pick up a developer's credentials.
process.env.AWS_CONFIG_FILE = '/dev/null'
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null'
delete process.env.AWS_PROFILE

// The project's venv (scripts/python-tools.mjs builds it where python3 lacks moto or the aws CLI)
// comes first on PATH, for the test bed's moto and the tests' aws CLI alike.
process.env.PATH = pathWithVenv()
