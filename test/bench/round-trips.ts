export { monitorCommands, recordCommands } from '../helpers/record-commands.js';
