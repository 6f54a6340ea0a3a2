// The process actuator (ports/actuator.ts): the service as the controller's own child process.
export { ProcessActuator, type ProcessActuatorOptions, type ProcessTarget, type ProcessTargetConfig } from './actuator.js';
