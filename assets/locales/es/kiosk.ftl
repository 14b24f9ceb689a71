# Textos del quiosco para el cliente, español.
language-name = Español

attract-title = Todas las tallas, aquí mismo
attract-subtitle = Escanea el código de barras de la etiqueta del zapato para ver todas las tallas, en esta tienda o con envío a tu casa.
attract-start = Escanear un zapato
attract-type = Escribir el número
attract-hint-1 = El código de barras está en la etiqueta, dentro de la lengüeta del zapato.
attract-hint-2 = ¿No está tu talla? Te la enviamos a casa gratis.
attract-hint-3 = Sin registrarte. Es cuestión de un minuto.
tag-caption = Busca esta etiqueta dentro de la lengüeta del zapato de muestra

scan-title = Muestra el código de barras a la cámara
scan-aim = Sujeta la etiqueta dentro del marco
scan-camera-off = Este quiosco no tiene cámara. Escribe el número impreso bajo el código de barras.
scan-camera-starting = Encendiendo la cámara…
scan-camera-unavailable = La cámara no funciona ahora mismo. Escribe el número impreso bajo el código de barras o pide ayuda a un dependiente.
scan-camera-replay = Vista de la cámara
scan-type-title = O escribe el número bajo el código de barras
scan-keypad-clear = Borrar todo
scan-keypad-delete = Borrar
scan-keypad-search = Buscar
scan-looking = Buscando…
scan-not-found = Ese zapato no está en nuestro catálogo. Un dependiente puede ayudarte.
scan-unreadable = Ese número no parece correcto: { $reason }. Revisa las cifras e inténtalo de nuevo.

nav-start-over = Empezar de nuevo
nav-back = Atrás
nav-call-associate = Llamar a un dependiente
nav-high-contrast = Alto contraste
associate-called = Un dependiente viene de camino.

product-price = { $price }
product-fit = Horma: { $note }
product-sizes = Elige tu talla
product-size-system = Tallas en
product-scanned = Este es el zapato que escaneaste
status-in-store = En esta tienda
status-in-store-few = Solo quedan { $count }
status-ship = Envío a casa
status-ship-by = Llega el { $date }
status-ship-free = Envío gratis
status-unavailable = No disponible
status-checking = Consultando el almacén…
warehouse-live = Existencias del almacén consultadas ahora mismo.
warehouse-cached = Existencias del almacén de hace { $minutes } minutos; el almacén no responde ahora.
warehouse-unavailable = Ahora no podemos consultar el almacén. Las tallas de esta tienda te las podemos traer igualmente.
size-width-wide = ancho

instore-title = Un dependiente te traerá la talla { $size }
instore-sending = Enviando tu petición…
instore-sent = Petición enviada. Espera aquí, suele tardar unos minutos.
instore-queued = Petición guardada. Un dependiente te la traerá enseguida.
instore-done = Hecho

order-review-title = Envío a tu casa
order-item = Artículo
order-size = Talla
order-price = Precio
order-shipping = Envío
order-delivery = Llega el
order-pay-note = Pagas en caja con el código que recibirás a continuación. Ahora no se cobra nada.
order-continue = Continuar
order-form-title = ¿A dónde lo enviamos?
field-name = Nombre completo
field-street = Calle y número
field-postcode = Código postal
field-city = Ciudad
field-country = País (2 letras)
field-email = Correo electrónico
field-phone = Teléfono
error-required = Rellena este campo.
error-country = Usa el código de dos letras, como ES o US.
error-contact = Indica un correo o un teléfono para avisarte del envío.
error-email = Este correo parece incompleto.
order-confirm = Hacer el pedido
order-sending = Haciendo tu pedido…
order-failed = Hemos guardado tu pedido pero no hemos podido contactar con el almacén. Se enviará automáticamente.
keyboard-space = Espacio
keyboard-done = Hecho

done-title = ¡Gracias! Tu número de pedido es
done-pay = Muestra este código en caja para pagar.
done-next = Te avisaremos por correo o SMS cuando salga. Llega el { $date }.
done-reset = Esta pantalla se borrará en { $seconds } segundos.
done-finish = Terminar

idle-title = ¿Sigues ahí?
idle-body = Esta pantalla se borrará en { $seconds } segundos para proteger tus datos.
idle-more = Más tiempo

outoforder-title = Este quiosco no funciona
outoforder-staff = Para el personal: corrige el problema indicado y reinicia el quiosco.
starting = Iniciando…
