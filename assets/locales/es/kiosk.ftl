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
scan-title-camera-and-scanner = Muestra el código de barras a la cámara o escanéalo con el lector de mano
scan-title-scanner = Escanea el código de barras con el lector de mano
scan-title-type = Escribe el número bajo el código de barras
scan-aim = Sujeta la etiqueta dentro del marco
scan-camera-off = Este quiosco no tiene cámara. Escribe el número impreso bajo el código de barras.
scan-camera-starting = Encendiendo la cámara…
scan-camera-unavailable = La cámara no funciona ahora mismo. Escribe el número impreso bajo el código de barras o pide ayuda a un dependiente.
scan-camera-replay = Vista de la cámara
scan-type-title = O escribe el número bajo el código de barras
scan-keypad-clear = Vaciar
scan-keypad-delete = Borrar
scan-keypad-search = Buscar
scan-looking = Buscando…
scan-not-found = Ese zapato no está en nuestro catálogo. Un dependiente puede ayudarte.
scan-why-empty = Escribe primero el número impreso bajo el código de barras.
scan-why-digits = Solo hacen falta las cifras bajo el código de barras.
scan-why-length = Son { $count } cifras. El número bajo un código de barras tiene 8, 12, 13 o 14.
scan-why-check = Una de las cifras parece incorrecta. Compara cada grupo con la etiqueta e inténtalo de nuevo.
scan-why-product = Ese código no es el número de producto de un zapato. Usa el código de la etiqueta dentro de la lengüeta.
scan-broken = Algo ha fallado al buscarlo. Llama a un dependiente, por favor.

nav-start-over = Empezar de nuevo
nav-back = Atrás
nav-call-associate = Llamar a un dependiente
nav-high-contrast-on = Alto contraste: sí
nav-high-contrast-off = Alto contraste: no
associate-called = Un dependiente viene de camino.

product-price = { $price }
money = { $amount } { $symbol }
product-fit = Horma: { $note }
product-sizes = Elige tu talla
product-size-system = Tallas en
product-scanned = Este es el zapato que escaneaste
product-scanned-tag = Escaneada
product-us-men = Tallas US de hombre
product-us-women = Tallas US de mujer
product-width-narrow = N = horma estrecha
product-width-wide = W = horma ancha
product-width-extra-wide = XW = horma extra ancha
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

instore-confirm-title = ¿Te traemos la talla { $size }?
instore-where = Un dependiente la trae a este quiosco ({ $kiosk }). Espera aquí, por favor.
instore-also = Traer también la { $size }
instore-cancel = Cancelar
instore-confirm = Sí, tráemela
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
field-country = País
field-email = Correo electrónico
field-phone = Teléfono
error-required = Rellena este campo.
error-country = Elige el país de la lista.
error-postcode = No es un código postal de { $country }. Ejemplo: { $example }
error-phone = Este teléfono parece demasiado corto.
error-contact = Indica un correo o un teléfono para contactarte sobre este pedido.
error-email = Este correo parece incompleto.
order-check = Revisar mi dirección
check-title = Revisa tu dirección
check-town = Código postal y ciudad
check-country = País
check-change = Cambiar
country-pick = ¿A qué país lo enviamos?
order-confirm = Hacer el pedido
order-sending = Haciendo tu pedido…
order-failed = Hemos guardado tu pedido pero no hemos podido contactar con el almacén. Se enviará automáticamente.
keyboard-space = Espacio
keyboard-done = Hecho
keyboard-next = Siguiente ›
keyboard-extra = ñáéíóúüçà'

done-title = ¡Gracias! Tu número de pedido es
done-pay = Paga en caja antes del envío: muestra allí este código.
done-next = Una vez pagado, llega el { $date }.
done-reset = Esta pantalla se borrará en { $seconds } segundos.
done-email = Enviarme este código por correo ({ $email })
done-email-sending = Enviando el código…
done-email-sent = Código enviado a { $email }.
done-email-failed = No hemos podido enviarlo ahora. Haz una foto del código o inténtalo de nuevo.
done-email-again = Reintentar
done-finish = Terminar

idle-title = ¿Sigues ahí?
idle-body = Esta pantalla se borrará en { $seconds } segundos para proteger tus datos.
idle-more = Más tiempo

outoforder-title = Este quiosco no funciona
outoforder-staff = Para el personal: corrige el problema indicado y reinicia el quiosco.
starting = Iniciando…

# Modo encargado (solo personal).
pin-title = PIN de encargado
pin-enter = Entrar
pin-cancel = Cancelar
pin-checking = Comprobando…
pin-wrong = PIN incorrecto. { $left ->
    [one] Queda { $left } intento
   *[other] Quedan { $left } intentos
} antes de bloquear el modo encargado.
pin-locked = Demasiados PIN incorrectos. El modo encargado está bloqueado { $minutes } min.
pin-problem = { $problem }

mgr-title = Encargado
mgr-logout = Salir
mgr-tab-status = Estado
mgr-tab-orders = Pedidos
mgr-tab-analytics = Análisis
mgr-tab-camera = Cámara
mgr-refresh = Actualizar
mgr-sync-title = Sincronizar inventario
mgr-sync-last = Última sincronización { $when } (hace { $age })
mgr-sync-never = Nunca sincronizado con el almacén
mgr-sync-stale = Más antigua que { $limit }: sincronice ahora.
mgr-sync-now = Sincronizar ahora
mgr-sync-cancel = Cancelar
mgr-sync-running = { $feed }: página { $page } de { $total }
mgr-sync-running-open = { $feed }: página { $page }
mgr-sync-done = Sincronizado: { $added } nuevos, { $changed } cambiados, { $removed } quitados, en { $seconds } s
mgr-sync-failed = Falló la sincronización: { $error }
mgr-sync-cancelled = Sincronización cancelada. Las páginas recibidas se conservan; la próxima sigue desde ahí.
mgr-warehouse-title = Almacén
mgr-warehouse-ok = Accesible ({ $ms } ms)
mgr-warehouse-down = No accesible: { $error }
mgr-warehouse-checking = Comprobando…
mgr-import-title = Importar fichero de stock
mgr-import-none = No hay ficheros de stock (*.csv) en { $dirs }.
mgr-import-running = Importando { $file }…
mgr-import-done = Importadas { $imported } de { $rows } filas ({ $unknown } tallas desconocidas, { $removed } quitadas).
mgr-import-failed = No importado: { $error }
mgr-stats-title = Este quiosco
mgr-stats = { $styles } modelos, { $sizes } tallas, { $stock } con stock en tienda, { $events } eventos de clientes
mgr-version-title = Versión y ajustes
mgr-orders-title = Pedidos a domicilio pendientes
mgr-orders-none = No hay pedidos pendientes: todos llegaron al almacén.
mgr-orders-retry = Reintentar
mgr-orders-retry-all = Reintentar todos
mgr-order-pending = Esperando envío (intento { $attempts })
mgr-order-sending = Enviando
mgr-order-rejected = Rechazado por el almacén
mgr-order-error = Último error: { $error }
mgr-order-needs-checking = Por comprobar: puede que la plataforma ya lo tenga. Búsquelo allí; envíelo de nuevo solo si no está
mgr-order-abandoned = Abandonado: no se confirmó a tiempo; los datos del cliente se borraron
mgr-orders-send-again = Enviar de nuevo
mgr-camera-title = Prueba de cámara
mgr-camera-hint = Ponga una etiqueta delante de la cámara o léala con el lector: el código leído aparece abajo.
mgr-camera-read = Leído: { $code }
mgr-camera-none = Todavía no se ha leído nada.
mgr-camera-off = La cámara está desactivada en kiosk.toml ([camera] enabled = false).
mgr-camera-down = La cámara no funciona. Revise el cable; el quiosco la vuelve a abrir solo.
mgr-period-7 = 7 días
mgr-period-30 = 30 días
mgr-period-365 = 1 año
mgr-analytics-loading = Cargando…
mgr-analytics-summary = { $scans } escaneos · { $lost } tallas pedidas que no había en tienda
chart-scans_per_day = Escaneos por día
chart-scans_per_hour = Escaneos por hora del día
chart-funnel = Del escaneo al pedido (clientes)
chart-outcomes = Cómo terminaron las visitas
chart-lost_by_style = Ventas perdidas por modelo (sin stock)
chart-lost_by_size = Ventas perdidas por talla
bar-scanned = Escanearon
bar-sized = Eligieron talla
bar-converted = Pidieron
bar-in_store = En tienda
bar-dropship = A domicilio
bar-associate = Dependiente
bar-walked_away = Se fueron
bar-read_failed = Lecturas fallidas
mgr-orders-waiting = { $count ->
    [one] 1 pedido a domicilio pendiente: ver Pedidos
   *[other] { $count } pedidos a domicilio pendientes: ver Pedidos
}
mgr-camera-state-ok = Funciona (vista por última vez en la pantalla de escaneo). Pruébela en Cámara.
mgr-camera-state-off = Desactivada en kiosk.toml.
mgr-quit = Cerrar quiosco

country-AT = Austria
country-BE = Bélgica
country-BG = Bulgaria
country-CH = Suiza
country-CY = Chipre
country-CZ = Chequia
country-DE = Alemania
country-DK = Dinamarca
country-EE = Estonia
country-ES = España
country-FI = Finlandia
country-FR = Francia
country-GB = Reino Unido
country-GR = Grecia
country-HR = Croacia
country-HU = Hungría
country-IE = Irlanda
country-IT = Italia
country-LT = Lituania
country-LU = Luxemburgo
country-LV = Letonia
country-MT = Malta
country-NL = Países Bajos
country-NO = Noruega
country-PL = Polonia
country-PT = Portugal
country-RO = Rumanía
country-SE = Suecia
country-SI = Eslovenia
country-SK = Eslovaquia
country-US = Estados Unidos

colour-black = Negro
colour-burgundy = Burdeos
colour-forest-green = Verde bosque
colour-grey = Gris
colour-navy = Azul marino
colour-red = Rojo
colour-sand = Arena
colour-sky-blue = Azul cielo
colour-tan = Camel
colour-white = Blanco
