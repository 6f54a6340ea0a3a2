// The Swarm actuator (ports/actuator.ts): switches Docker Swarm services by a service update through the
// Docker Engine API of a manager node. Internals: actuator.ts and the steps beside it; docs/swarm.md.
export { SwarmActuator, type SwarmActuatorOptions } from './actuator.js';
