"""The MLLP listener: python-hl7's asyncio server in front of one database thread.

The event loop only cuts frames out of the byte stream and writes ACKs; every
frame is handed to a single worker thread that holds the Frappe connection
(intake.receive), so messages are stored and acted on one at a time in arrival
order, and no sender can stop the loop: whatever a connection sends is
answered, logged, or the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from hl7.mllp import start_hl7_server

from care_management.domain.adt_message import MAX_MESSAGE_BYTES

START_BLOCK, END_OF_FRAME = b"\x0b", b"\x1c\r"
# A sender that opens a frame and goes quiet is cut off, so it cannot hold a connection forever.
IDLE_SECONDS = 120
LOOPBACK = "127.0.0.1"

log = logging.getLogger("care_management.adt")


class Listener:
	def __init__(self, site: str, sites_path: str, host: str = LOOPBACK, port: int = 2575):
		self.site, self.sites_path, self.host, self.port = site, sites_path, host, port
		self.database = ThreadPoolExecutor(
			max_workers=1, thread_name_prefix="adt-db", initializer=self._connect
		)
		self.server = None

	def _connect(self):
		import frappe

		frappe.init(site=self.site, sites_path=self.sites_path)
		frappe.connect()
		frappe.set_user("Administrator")

	async def start(self) -> int:
		"""Bind and return the port (useful with port 0: any free one)."""
		self.server = await start_hl7_server(
			self.handle_connection, host=self.host, port=self.port, limit=MAX_MESSAGE_BYTES + 2
		)
		return self.server.sockets[0].getsockname()[1]

	async def serve(self, on_ready=None) -> None:
		port = await self.start()
		if on_ready:
			on_ready(port)
		async with self.server:
			await self.server.serve_forever()

	async def handle_connection(self, reader, writer) -> None:
		peer = _peer(writer)
		try:
			while True:
				try:
					frame = await asyncio.wait_for(reader.readuntil(END_OF_FRAME), IDLE_SECONDS)
				except asyncio.IncompleteReadError as closed:
					if closed.partial.strip():
						# A half-sent frame: logged; the ACK is written in case the sender still reads.
						await self._answer(
							writer,
							"refuse_frame",
							"Connection closed in the middle of a frame.",
							closed.partial,
							peer,
						)
					break
				except asyncio.LimitOverrunError:
					# No end of frame within the limit: the stream cannot be re-synchronised.
					await self._answer(
						writer,
						"refuse_frame",
						f"No end of frame within {MAX_MESSAGE_BYTES} bytes; connection closed.",
						b"",
						peer,
					)
					break
				except asyncio.TimeoutError:
					log.warning("ADT connection from %s idle for %s s; closed", peer, IDLE_SECONDS)
					break
				# Some engines put a line break between frames; it is not part of the next one.
				content = frame[: -len(END_OF_FRAME)].lstrip(b"\r\n")
				start = content.find(START_BLOCK)
				if start != 0:
					# Bytes before the start block (or none at all): answered as not HL7, the frame is kept.
					await self._answer(
						writer,
						"refuse_frame",
						"Frame does not begin with the MLLP start block.",
						content,
						peer,
					)
					continue
				await self._answer(writer, "receive", None, content[1:], peer)
		except (ConnectionError, OSError) as error:
			log.info("ADT connection from %s ended: %s", peer, error)
		except Exception:
			log.exception("ADT connection from %s failed", peer)
		finally:
			writer.close()

	async def _answer(self, writer, step: str, reason: str | None, content: bytes, peer: str) -> None:
		loop = asyncio.get_running_loop()
		try:
			acknowledgement = await loop.run_in_executor(self.database, _run, step, reason, content, peer)
		except Exception:
			log.exception("ADT message from %s could not be stored", peer)
			acknowledgement = None
		if acknowledgement is None:
			return  # the sender gets no ACK and resends, which is what MLLP expects on failure
		if writer.is_closing():
			return
		writer.writeblock(acknowledgement)
		await writer.drain()

	def close(self) -> None:
		if self.server:
			self.server.close()
		self.database.submit(_disconnect).result()
		self.database.shutdown(wait=True)


def _run(step: str, reason: str | None, content: bytes, peer: str) -> bytes | None:
	"""In the database thread."""
	import frappe

	from care_management.adt import intake

	try:
		if step == "receive":
			return intake.receive(content, peer)
		return intake.refuse_frame(reason, content, peer)
	except Exception:
		frappe.db.rollback()
		try:
			frappe.log_error(title="ADT listener could not store a message")
			frappe.db.commit()
		except Exception:
			log.exception("Error Log could not be written")
		if not _database_alive():
			frappe.connect()
		raise


def _database_alive() -> bool:
	import frappe

	try:
		frappe.db.sql("select 1")
		return True
	except Exception:
		return False


def _disconnect() -> None:
	import frappe

	frappe.destroy()


def _peer(writer) -> str:
	address = writer.get_extra_info("peername")
	return f"{address[0]}:{address[1]}" if address else ""


def run(site: str, sites_path: str, host: str = LOOPBACK, port: int = 2575, on_ready=None) -> None:
	listener = Listener(site, sites_path, host, port)
	try:
		asyncio.run(listener.serve(on_ready))
	finally:
		listener.close()
