// What every step of the Swarm actuator works with: the Docker Engine API of a manager node, and the clock
// it reads the time and waits on.
import type Docker from 'dockerode';
import type { Clock } from '../../ports/clock.js';

export interface SwarmContext {
  readonly docker: Docker;
  readonly clock: Clock;
}
