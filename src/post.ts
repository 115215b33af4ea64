import { post } from './cleanup.js'
/* istanbul ignore next */
void post()
