// The Docker actuator (ports/actuator.ts): switches compose services and plain containers through the
// Docker Engine API, preserving every other setting. Internals: actuator.ts and the steps beside it.
export { DockerActuator, type DockerActuatorOptions } from './actuator.js';
