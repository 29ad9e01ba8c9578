// Preloaded into Frappe's realtime (socket.io) server by production-stack.sh.
// That server calls server.listen(port), which listens on every interface; a
// development or test stack must stay on loopback. A listen given only a port
// (and perhaps a callback) is given 127.0.0.1 as its host; anything else is left as it is.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
	const portOnly = typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]));
	if (portOnly && (args.length === 1 || typeof args[1] === "function")) {
		args.splice(1, 0, process.env.CARE_MANAGEMENT_STACK_HOST || "127.0.0.1");
	}
	return listen.apply(this, args);
};
